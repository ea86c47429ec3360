"""fluxd.consensus layer."""
