"""fluxd.node layer."""
