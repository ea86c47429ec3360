"""Tests of fluxd.consensus.shielded."""
