"""Location of the test vectors: tests/data/vectors in the repository (provenance in its README.md);
``FLUXD_VECTORS`` points elsewhere."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VECTORS = Path(os.environ.get("FLUXD_VECTORS", PROJECT_ROOT / "tests" / "data" / "vectors"))


@lru_cache(maxsize=None)
def load_json(relative_path: str):
    with open(VECTORS / relative_path, encoding="utf-8") as handle:
        return json.load(handle)
