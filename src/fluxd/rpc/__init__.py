"""fluxd.rpc layer."""
