"""Real Sapling transactions for tests, built with the fluxwallet-sapling prover (a test dependency only: the
node never imports it to build anything).

``SaplingWallet`` holds one Sapling key, finds its notes in transactions (trial decryption), follows the
chain's Sapling tree with a C++ IncrementalWitness per note (the node's own tree and witness code, whose
serialization the prover reads) and builds t→z shields, z→z / z→t spends, with proofs, spendAuthSig and
bindingSig made by the prover.
"""

from __future__ import annotations

from dataclasses import dataclass

import fluxwallet_sapling as prover

from fluxd.consensus.trees.sapling_tree import SaplingTree
from fluxd.consensus.trees.witness import IncrementalWitness
from fluxd.core.bech32 import convert_bits, encode
from fluxd.core.transaction import Transaction
from fluxd.params.chainparams import ChainParams

STANDARD_FEE = 10_000


@dataclass(frozen=True)
class Note:
    value: int
    rcm: bytes
    position: int  # in the chain's Sapling tree
    cmu: bytes


def p2pkh_output(key_hash: bytes, value: int) -> dict:
    return {"address_hash": key_hash, "value": value, "address_type": "p2pkh"}


class SaplingWallet:
    def __init__(self, seed: bytes, params: ChainParams) -> None:
        prover.load_sapling_params()
        keys = prover.sapling_key_from_seed(seed, params.bip44_coin_type, 0)
        self.spending_key, self.fvk, self.address = keys["spending_key"], keys["full_viewing_key"], keys["default_address"]
        self.ivk = prover.sapling_incoming_viewing_key(self.fvk)  # the 128-byte diversifiable FVK: FVK (96) + dk
        self.params = params
        self.tree = SaplingTree()
        self.notes: list[Note] = []
        self.witnesses: dict[int, IncrementalWitness] = {}  # by note position

    @property
    def address_text(self) -> str:
        return encode(self.params.bech32.sapling_payment_address, convert_bits(self.address, 8, 5, True))

    def follow_block(self, block) -> None:
        """Append a block's output commitments in order, keeping the notes sent to this key."""
        for tx in block.transactions:
            for output in tx.shielded_outputs:
                found = prover.try_decrypt_note(self.ivk, output.cmu, output.ephemeral_key, output.enc_ciphertext, 0)
                for witness in self.witnesses.values():
                    witness.append(output.cmu)
                self.tree.append(output.cmu)
                if found is not None:
                    position = self.tree.size() - 1
                    self.notes.append(Note(found["value"], bytes(found["rcm"]), position, output.cmu))
                    self.witnesses[position] = IncrementalWitness(self.tree)

    @property
    def root(self) -> bytes:
        return self.tree.root()

    def _build(self, spends: list[dict], outputs: list[dict], transparent_inputs=None, transparent_outputs=None,
               target_height: int = 1, fee: int = STANDARD_FEE) -> Transaction:  # fmt: skip
        built = prover.build_shielded_transaction(
            self.spending_key, spends, outputs, self.root, fee, transparent_inputs=transparent_inputs,
            transparent_outputs=transparent_outputs, sapling_activation_height=1, target_height=target_height,
            network="regtest",
        )  # fmt: skip
        return Transaction.from_bytes(bytes(built["raw_tx"]))

    def shield(self, coin: tuple[bytes, int, int], secret: bytes, key_hash: bytes, amount: int, target_height: int,
               to_address: bytes | None = None) -> Transaction:  # fmt: skip
        """t→z: the P2PKH coin (txid_rev, vout, value) of ``secret`` pays ``amount`` to a Sapling address (this
        wallet's unless ``to_address``), the change back to ``key_hash``."""
        txid_rev, vout, value = coin
        inputs = [{"txid": txid_rev, "vout": vout, "address_hash": key_hash, "value": value, "secret_key": secret}]
        outputs = [{"address_bytes": to_address or self.address, "value": amount, "memo": b""}]
        change = [p2pkh_output(key_hash, value - amount - STANDARD_FEE)]
        return self._build([], outputs, inputs, change, target_height)

    def spend(self, note: Note, target_height: int, to_self: int = 0, transparent: list[dict] | None = None) -> Transaction:
        """z→z (``to_self`` back to this key) and/or z→t (``transparent`` outputs); the witness is the one of the
        tree as followed so far, so the anchor is the root after the last block followed."""
        witness = self.witnesses[note.position].serialize()
        spend = {"fvk_bytes": self.fvk[:96], "note_value": note.value, "rcm_bytes": note.rcm, "address_bytes": self.address,
                 "witness_bytes": witness}  # fmt: skip
        outputs = [{"address_bytes": self.address, "value": to_self, "memo": b""}] if to_self else []
        return self._build([spend], outputs, None, transparent, target_height)
