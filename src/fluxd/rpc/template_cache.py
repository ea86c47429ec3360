"""What getblocktemplate keeps between calls (C++'s statics in rpc/mining.cpp)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fluxd.chainstate.block_index import BlockIndexEntry
    from fluxd.rpc.block_assembler import BlockTemplate


@dataclass(eq=False)
class TemplateCache:
    """pindexPrev, nStart, pblocktemplate and nTransactionsUpdatedLast, under ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    prev: BlockIndexEntry | None = None
    start: int = 0
    template: BlockTemplate | None = None
    updated_last: int = 0
