"""fluxd.cli layer."""
