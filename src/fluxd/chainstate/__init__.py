"""fluxd.chainstate layer."""
