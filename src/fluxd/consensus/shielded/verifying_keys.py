"""The three Groth16 verifying keys, shipped as package data (keys/README.md), loaded once and hash-checked."""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

from fluxd.consensus.shielded.groth16 import VerifyingKey, VerifyingKeyError

KEY_FILES = {
    "sapling-spend": ("sapling-spend.params.vk", "e0e847a3937ce78989e3416e908439a1d853287863645095d5e2bbadeeec9869"),
    "sapling-output": ("sapling-output.params.vk", "d7a655f6f58745f17bf5344682d25d15967e39b575d072335e14ace0a871bd0c"),
    "sprout": ("sprout-groth16.vk", "4f8894d5456596e912d8a55c138c155f338131ea4ec747847b5dd6dba5efabdc"),
}


@functools.cache
def verifying_key(name: str) -> VerifyingKey:
    file_name, sha256 = KEY_FILES[name]
    data = resources.files("fluxd.consensus.shielded").joinpath("keys").joinpath(file_name).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise VerifyingKeyError(f"{file_name} is damaged (its SHA-256 is not {sha256}); reinstall the package")
    return VerifyingKey.parse(data)
