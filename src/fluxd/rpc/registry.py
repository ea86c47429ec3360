"""The RPC method table (C++ CRPCTable): names, categories, handlers, help texts, warmup."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from fluxd.rpc.errors import RPC_IN_WARMUP, RPC_METHOD_NOT_FOUND, RPC_MISC_ERROR, RPCError

Handler = Callable[[object, list], object]


@dataclass(frozen=True)
class RPCMethod:
    name: str
    category: str
    handler: Handler
    help_text: str


class RPCTable:
    def __init__(self) -> None:
        self.methods: dict[str, RPCMethod] = {}
        self._warmup_lock = threading.Lock()
        self._warmup_status: str | None = "RPC server started"

    def register(self, name: str, category: str, handler: Handler, help_text: str) -> None:
        self.methods[name] = RPCMethod(name, category, handler, help_text.strip("\n"))

    def set_warmup(self, status: str | None) -> None:
        """A status text while starting (-28 answers), None once the node is ready."""
        with self._warmup_lock:
            self._warmup_status = status

    @property
    def in_warmup(self) -> bool:
        with self._warmup_lock:
            return self._warmup_status is not None

    @property
    def warmup_status(self) -> str | None:
        with self._warmup_lock:
            return self._warmup_status

    def execute(self, context, method: str, params: list):
        with self._warmup_lock:
            status = self._warmup_status
        if status is not None:
            raise RPCError(RPC_IN_WARMUP, status)
        entry = self.methods.get(method)
        if entry is None:
            raise RPCError(RPC_METHOD_NOT_FOUND, "Method not found")
        try:
            return entry.handler(context, params)
        except RPCError:
            raise
        except Exception as exc:  # C++ turns any std::exception into RPC_MISC_ERROR with its text
            raise RPCError(RPC_MISC_ERROR, str(exc) or exc.__class__.__name__) from exc

    def help(self, command: str = "") -> str:
        """CRPCTable::help: one line per method by category, or the full text of one method."""
        lines: list[str] = []
        category = ""
        for entry in sorted(self.methods.values(), key=lambda item: (item.category, item.name)):
            if (command or entry.category == "hidden") and entry.name != command:
                continue
            text = entry.help_text
            if not command:
                text = text.split("\n", 1)[0]
                if category != entry.category:
                    if category:
                        lines.append("")
                    category = entry.category
                    lines.append(f"== {category[:1].upper()}{category[1:]} ==")
            lines.append(text)
        if not lines:
            return f"help: unknown command: {command}"
        return "\n".join(lines)
