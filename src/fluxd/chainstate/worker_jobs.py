"""Typed jobs for the worker processes: the kinds a worker may run, and how jobs and results travel.

A job kind is a frozen dataclass (the job) and a pure module-level function
that runs it and returns a picklable result; ``register_job`` declares them
under a stable name.  Frames name the kind, never a function: a worker runs
only the kinds registered in its own interpreter, and refuses the rest.
Jobs and results are unpickled with an allow-list (``_Unpickler``): only
classes of the modules the kind declared may be built, so no callable of the
parent's choosing ever runs in a worker, nor a worker's in the parent.

``recheck`` marks the results the parent must not take from a worker on
trust: it runs the same function inline before using them (for script checks:
every failure).  A refused, failed or lost job is also run inline, so a worker
can cost time but never change a result.
"""

from __future__ import annotations

import io
import pickle
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# Modules whose registered kinds every worker knows (imported when it starts); others are named on its command line.
BUILTIN_KIND_MODULES = ("fluxd.chainstate.script_workers", "fluxd.chainstate.block_jobs", "fluxd.chainstate.fluxnode_sig_jobs",
                        "fluxd.chainstate.shielded_jobs")  # fmt: skip
OK, REFUSED, FAILED = "ok", "refused", "failed"  # a worker's answer status


class UnknownJobKind(LookupError):
    """A job whose kind is not registered here (a worker refuses it)."""


def _never(_result: Any) -> bool:
    return False


@dataclass(frozen=True)
class JobKind:
    name: str  # the stable name frames carry
    job_type: type
    run: Callable[[Any], Any]  # pure, module-level: the same function runs in a worker and inline
    recheck: Callable[[Any], bool] = _never  # True: run inline before relying on this worker result
    modules: frozenset[str] = field(default_factory=frozenset)  # whose classes a job or result may carry


_KINDS: dict[str, JobKind] = {}
_BY_TYPE: dict[type, JobKind] = {}


def register_job(
    name: str, job_type: type, run: Callable[[Any], Any], recheck: Callable[[Any], bool] = _never, modules: Iterable[str] = ()
) -> JobKind:
    """Declare a job kind; ``run`` must be reachable by its module and name (no lambdas, no closures)."""
    if getattr(sys.modules.get(run.__module__), run.__qualname__, None) is not run:
        raise ValueError(f"job function {run.__qualname__} must be a module-level function")
    kind = JobKind(name, job_type, run, recheck, frozenset({job_type.__module__, *modules}))
    existing = _KINDS.get(name)
    if existing is not None and existing != kind:
        raise ValueError(f"job kind {name!r} is already registered differently")
    _KINDS[name] = _BY_TYPE[job_type] = kind
    return kind


def kind_named(name: str) -> JobKind:
    kind = _KINDS.get(name)
    if kind is None:
        raise UnknownJobKind(name)
    return kind


def kind_of(job: object) -> JobKind:
    kind = _BY_TYPE.get(type(job))
    if kind is None:
        raise UnknownJobKind(type(job).__qualname__)
    return kind


def kind_modules() -> list[str]:
    """The modules declaring the kinds registered here (a worker imports them to know the same kinds)."""
    return sorted({kind.job_type.__module__ for kind in _KINDS.values()})


def run_inline(job: object) -> Any:
    """A job run in this process: exactly what a worker would compute."""
    return kind_of(job).run(job)


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, modules: frozenset[str]) -> None:
        super().__init__(io.BytesIO(data))
        self._modules = modules

    def find_class(self, module: str, name: str) -> Any:
        found = getattr(sys.modules.get(module), name, None) if module in self._modules else None
        if not isinstance(found, type):
            raise pickle.UnpicklingError(f"{module}.{name} may not travel between workers")
        return found


def encode(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def decode(data: bytes, modules: frozenset[str] = frozenset()) -> Any:
    """Unpickle ``data`` building only classes of ``modules`` (none: plain tuples, bytes, numbers, strings)."""
    return _Unpickler(data, modules).load()


def run_encoded(name: str, payload: bytes) -> tuple[str, bytes]:
    """A worker's answer to one job: (OK, result) or (REFUSED / FAILED, b"")."""
    try:
        kind = kind_named(name)
        job = decode(payload, kind.modules)
    except Exception:  # an unknown kind, a class it may not carry, a torn or garbled payload
        return REFUSED, b""
    if type(job) is not kind.job_type:
        return REFUSED, b""
    try:
        return OK, encode(kind.run(job))
    except Exception:  # the parent runs it inline and sees the failure itself
        return FAILED, b""
