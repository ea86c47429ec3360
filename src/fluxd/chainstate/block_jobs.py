"""Context-free block checks as a worker job: parse raw block bytes, run CheckBlock, answer the verdict.

``BlockCheck`` carries what CheckBlock needs (params, the block's bytes, the
adjusted time and tip height of the future-time rule, whether to check the
proof of work); ``check_raw_block`` returns a ``BlockCheckVerdict``: the
legacy sigop count of each transaction, or the ValidationError CheckBlock
raised (reason, DoS, code, detail, corruption_possible, the transaction to
blame).  ``raise_if_invalid`` gives the caller exactly what calling
``check_block`` itself would have.  A rejection a worker reports is checked
again inline (``recheck``), as script failures are.
"""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.chainstate.worker_jobs import register_job
from fluxd.consensus.block_check import check_block
from fluxd.consensus.validation import ValidationError
from fluxd.core.block import Block
from fluxd.params.chainparams import ChainParams


@dataclass(frozen=True, slots=True)
class BlockCheck:
    params: ChainParams
    raw_block: bytes
    adjusted_time: int
    tip_height: int
    check_pow: bool = True


@dataclass(frozen=True, slots=True)
class BlockCheckVerdict:
    legacy_sigops: tuple[int, ...] = ()
    reason: str | None = None  # None: the block passed
    dos: int = 0
    code: int = 0
    detail: str = ""
    corruption_possible: bool = False
    invalid_txid: bytes | None = None

    @classmethod
    def of(cls, failure: ValidationError) -> "BlockCheckVerdict":
        return cls((), failure.reason, failure.dos, failure.code, failure.detail, failure.corruption_possible, failure.invalid_txid)

    def raise_if_invalid(self) -> list[int]:
        """The legacy sigop counts check_block returns, or the ValidationError it raises."""
        if self.reason is None:
            return list(self.legacy_sigops)
        failure = ValidationError(self.reason, self.dos, self.code, self.detail, self.corruption_possible)
        failure.invalid_txid = self.invalid_txid
        raise failure


def check_raw_block(job: BlockCheck) -> BlockCheckVerdict:
    """CheckBlock on the parsed bytes (a block that does not parse raises, as Block.from_bytes does)."""
    block = Block.from_bytes(job.raw_block)
    try:
        return BlockCheckVerdict(tuple(check_block(job.params, block, job.adjusted_time, job.tip_height, job.check_pow)))
    except ValidationError as failure:
        return BlockCheckVerdict.of(failure)


def _is_rejection(verdict: BlockCheckVerdict) -> bool:
    return verdict.reason is not None


BLOCK_CHECK = register_job(
    "block-check", BlockCheck, check_raw_block, recheck=_is_rejection, modules=("fluxd.params.chainparams", "fluxd.params.upgrades")
)
