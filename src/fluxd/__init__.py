"""fluxd: a full Flux node in Python."""

__version__ = "0.1.0"
