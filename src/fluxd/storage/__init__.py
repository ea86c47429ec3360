"""fluxd.storage layer."""
