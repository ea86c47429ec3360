"""fluxd.wallet layer."""
