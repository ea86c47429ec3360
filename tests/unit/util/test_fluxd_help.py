"""fluxd -help lists only options the node knows, with the C++ chainstate options among them."""

from __future__ import annotations

import re

from fluxd.cli.fluxd_main import USAGE
from fluxd.node.options import KNOWN_OPTIONS


def test_every_documented_option_is_known():
    documented = re.findall(r"^  -([a-z?][a-z-]*)", USAGE, flags=re.MULTILINE)
    assert documented and all(name in KNOWN_OPTIONS for name in documented), set(documented) - KNOWN_OPTIONS
    for name in ("dbcache", "par", "reindex", "loadblock", "txindex", "checkblocks", "checklevel", "checkpoints"):
        assert name in documented
