"""fluxd.util layer."""
