"""Tests of the Sprout and Sapling note commitment trees."""
