"""fluxd.params layer."""
