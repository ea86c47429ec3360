"""The test's own insight indexes: computed from raw blocks (getblock hex, decoded here), never from the node's index RPCs.

``InsightModel`` walks a chain's blocks in order and keeps, as C++ does with
-insightexplorer, every address delta, the unspent outputs per address and who
spent each output; ``expected_*`` give what each RPC must answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fluxd.core.address import destination_from_script, encode_destination
from fluxd.core.block import Block
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint

def amount_text(zatoshis: int) -> str:
    sign = "-" if zatoshis < 0 else ""
    return f"{sign}{abs(zatoshis) // 100_000_000}.{abs(zatoshis) % 100_000_000:08d}"


@dataclass
class Output:
    value: int
    script: bytes
    height: int


@dataclass
class InsightModel:
    prefixes: object
    deltas: dict[str, list[tuple]] = field(default_factory=dict)  # address -> (height, position, txid_rev, index, spending, satoshis)
    outputs: dict[OutPoint, Output] = field(default_factory=dict)  # every output seen (spent or not)
    unspent: set[OutPoint] = field(default_factory=set)
    spent: dict[OutPoint, tuple[str, int, int]] = field(default_factory=dict)  # -> spending txid_hum, input index, height
    blocks: list[tuple[int, Block]] = field(default_factory=list)

    def address(self, script: bytes) -> str | None:
        destination = destination_from_script(script)
        return None if destination is None else encode_destination(destination, self.prefixes)

    def add_block(self, height: int, block: Block) -> None:
        self.blocks.append((height, block))
        for position, tx in enumerate(block.transactions):
            if not tx.is_coinbase():
                self._inputs(height, position, tx)
            for index, out in enumerate(tx.vout):
                outpoint = OutPoint(tx.txid_rev, index)
                self.outputs[outpoint] = Output(out.value, out.script_pubkey, height)
                self.unspent.add(outpoint)
                self._delta(out.script_pubkey, (height, position, tx.txid_rev, index, False, out.value))

    def _inputs(self, height: int, position: int, tx: Transaction) -> None:
        for index, txin in enumerate(tx.vin):
            coin = self.outputs[txin.prevout]
            self.unspent.discard(txin.prevout)
            self.spent[txin.prevout] = (tx.txid_hum, index, height)
            self._delta(coin.script, (height, position, tx.txid_rev, index, True, -coin.value))

    def _delta(self, script: bytes, record: tuple) -> None:
        address = self.address(script)
        if address is not None:
            self.deltas.setdefault(address, []).append(record)

    # ----- expected answers ---------------------------------------------------------------------
    def expected_deltas(self, address: str, start: int = 0, end: int = 0) -> list[dict]:
        records = sorted(self.deltas.get(address, []), key=lambda r: r[:5])
        if start > 0 and end > 0:
            records = [r for r in records if start <= r[0] <= end]
        return [{"address": address, "blockindex": r[1], "height": r[0], "index": r[3], "satoshis": r[5], "txid": r[2][::-1].hex()}
                for r in records]  # fmt: skip

    def expected_balance(self, address: str) -> dict:
        amounts = [r[5] for r in self.deltas.get(address, [])]
        return {"balance": sum(amounts), "received": sum(a for a in amounts if a > 0)}

    def expected_txids(self, address: str, start: int = 0, end: int = 0) -> list[str]:
        pairs = {(d["height"], d["txid"]) for d in self.expected_deltas(address, start, end)}
        return [txid for _, txid in sorted(pairs)]

    def expected_utxos(self, addresses: list[str]) -> list[dict]:
        found = []
        for address in addresses:
            mine = sorted((p for p in self.unspent if self.address(self.outputs[p].script) == address), key=lambda p: (p.txid_rev, p.n))
            found += [(address, p) for p in mine]
        found.sort(key=lambda item: self.outputs[item[1]].height)
        return [{"address": a, "txid": p.txid_rev[::-1].hex(), "outputIndex": p.n, "script": self.outputs[p].script.hex(),
                 "satoshis": self.outputs[p].value, "height": self.outputs[p].height} for a, p in found]  # fmt: skip

    def expected_block_deltas(self, block: Block) -> list[dict]:
        result = []
        for position, tx in enumerate(block.transactions):
            inputs = [] if tx.is_coinbase() else [self._input_delta(index, txin) for index, txin in enumerate(tx.vin)]
            outputs = [{"address": self.address(out.script_pubkey) or "", "satoshis": out.value, "index": index}
                       for index, out in enumerate(tx.vout)]  # fmt: skip
            result.append({"txid": tx.txid_hum, "index": position, "inputs": inputs, "outputs": outputs})
        return result

    def _input_delta(self, index: int, txin) -> dict:
        coin = self.outputs[txin.prevout]
        delta = {"address": self.address(coin.script)} if self.address(coin.script) else {}
        return {**delta, "satoshis": -coin.value, "index": index, "prevtxid": txin.prevout.txid_hum, "prevout": txin.prevout.n}

    def expected_spent_fields(self, tx: Transaction, pool_spends: dict) -> tuple[list[dict], list[dict]]:
        """getrawtransaction's -spentindex fields: per input (value, valueSat, address), per output (spentTxId, ...)."""
        vin = []
        for txin in ([] if tx.is_coinbase() else tx.vin):
            coin = self.outputs.get(txin.prevout) or pool_spends["outputs"][txin.prevout]
            item = {"value": amount_text(coin.value), "valueSat": coin.value}
            if self.address(coin.script):
                item["address"] = self.address(coin.script)
            vin.append(item)
        vout = []
        for index in range(len(tx.vout)):
            outpoint = OutPoint(tx.txid_rev, index)
            spent = pool_spends["spent"].get(outpoint) or self.spent.get(outpoint)
            vout.append({} if spent is None else {"spentTxId": spent[0], "spentIndex": spent[1], "spentHeight": spent[2]})
        return vin, vout

