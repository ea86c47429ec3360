"""fluxd.p2p layer."""
