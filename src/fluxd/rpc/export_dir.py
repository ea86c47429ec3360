"""-exportdir (C++ util.cpp GetExportDir) and std::filesystem path joining, for dumpwallet and backupwallet.

C++ checks the option only when an RPC asks for it (not at start-up): an
absolute path of it, created when missing; an existing non-directory is an
error.  Not given: the empty path (dumpwallet then writes relative to the
process's working directory, backupwallet refuses).  Paths stay strings so
the RPC results print as C++ ``path.string()`` does (no normalising).
"""

from __future__ import annotations

import os


class ExportDirError(RuntimeError):
    """GetExportDir's std::runtime_error: the RPCs turn it into RPC_INTERNAL_ERROR with this text."""


def join_path(directory: str, name: str) -> str:
    """std::filesystem ``directory / name``: an absolute name replaces, a separator added when needed."""
    if name.startswith("/"):
        return name
    if not directory:
        return name
    return directory + name if directory.endswith("/") else f"{directory}/{name}"


def absolute_path(value: str) -> str:
    """std::filesystem::absolute: relative to the working directory, otherwise unchanged."""
    return value if value.startswith("/") else join_path(os.getcwd(), value)


def export_dir(args) -> str:
    """GetExportDir: "" when -exportdir is not given; the directory (created) otherwise."""
    if not args.is_set("-exportdir"):
        return ""
    path = absolute_path(args.get("-exportdir"))
    if os.path.exists(path) and not os.path.isdir(path):
        raise ExportDirError(f"The -exportdir '{path}' already exists and is not a directory")
    if not os.path.exists(path):
        try:
            os.makedirs(path)
        except OSError as exc:
            raise ExportDirError(f"filesystem error: cannot create directories: {exc.strerror} [{path}]") from None
    return path


def sanitize_filename(text: str) -> str:
    """C++ SanitizeFilename: only ASCII letters and digits kept."""
    return "".join(char for char in text if char.isascii() and char.isalnum())
