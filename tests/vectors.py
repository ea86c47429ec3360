"""Location of the test vectors: tests/data/vectors in the repository (provenance in its README.md);
``FLUXD_VECTORS`` points elsewhere.  A file kept xz-compressed in the repository (``name.json.xz``, for
files over 2 MiB) is read as ``name.json``; an uncompressed copy (as in ../shared/vectors) wins."""

from __future__ import annotations

import json
import lzma
import os
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VECTORS = Path(os.environ.get("FLUXD_VECTORS", PROJECT_ROOT / "tests" / "data" / "vectors"))


@lru_cache(maxsize=None)
def load_json(relative_path: str):
    path = VECTORS / relative_path
    if not path.exists() and path.with_name(path.name + ".xz").exists():
        with lzma.open(path.with_name(path.name + ".xz"), "rt", encoding="utf-8") as handle:
            return json.load(handle)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
