"""fluxd.core layer."""
