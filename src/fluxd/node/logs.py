"""debug.log, -printtoconsole, -debug=<category>, -loglevel and -logjson (C++ util.cpp LogPrint*)."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from fluxd.util.args import Args

ROOT = "fluxd"
LEVELS = {"trace": 5, "debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(record.created))
        text = f"{stamp} {record.getMessage()}"
        if record.exc_info:  # log.exception: the traceback follows the line
            text += "\n" + self.formatException(record.exc_info)
        return text


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
                "level": record.levelname.lower(),
                "category": record.name.removeprefix(ROOT + ".") or "main",
                "message": record.getMessage(),
                **({"traceback": self.formatException(record.exc_info)} if record.exc_info else {}),
            }
        )


class CategoryFilter(logging.Filter):
    """Debug records are kept only for categories named by -debug (or all of them)."""

    def __init__(self, categories: set[str]) -> None:
        super().__init__()
        self.all = bool(categories & {"1", "all", ""})
        self.categories = categories

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO or self.all:
            return True
        category = record.name.removeprefix(ROOT + ".").split(".")[0]
        return category in self.categories


def configure_logging(args: Args, net_dir: Path) -> logging.Logger:
    logger = logging.getLogger(ROOT)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    debug_values = set(args.get_all("-debug")) - {"0", "none"} if args.is_set("-debug") else set()
    level_name = args.get("-loglevel", "debug" if debug_values else "info").lower()
    logger.setLevel(LEVELS.get(level_name, logging.INFO))
    logger.propagate = False
    formatter = _JsonFormatter() if args.get_bool("-logjson") else _TextFormatter()
    handlers: list[logging.Handler] = []
    if args.get_bool("-printtoconsole"):
        handlers.append(logging.StreamHandler(sys.stdout))
    else:
        handlers.append(logging.FileHandler(net_dir / "debug.log", encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(CategoryFilter(debug_values))
        logger.addHandler(handler)
    return logger


def get_logger(category: str) -> logging.Logger:
    return logging.getLogger(f"{ROOT}.{category}")


def reopen_debug_log() -> None:
    """SIGHUP (logrotate's postrotate): close debug.log; the next line opens it again by name (C++ fReopenDebugLog)."""
    for handler in logging.getLogger(ROOT).handlers:
        if isinstance(handler, logging.FileHandler):
            with handler.lock:
                if handler.stream is not None:
                    handler.stream.close()
                    handler.stream = None
