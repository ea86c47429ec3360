"""fluxd.mempool layer."""
