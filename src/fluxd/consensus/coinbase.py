"""What a coinbase must pay at a height: the one place validation, the block assembler, getblocktemplate
and generate learn it from (C++ ContextualCheckTransaction's coinbase part, ConnectBlock's bad-cb-amount,
CreateNewBlock's outputs; CONSENSUS_TRANSACTIONS.md).

``required_outputs(params, height, fees, fluxnode_payees)`` gives the miner's
amount (subsidy + fees, less what fluxnode payees take), the funding outputs due
at that height (exchange, foundation, swap pool: exact amounts; the dev fund under
PoN: at least its minimum) and the value cap of the whole coinbase.  Fluxnode payees
come from the fluxnode list once it exists; until then the sequence is empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fluxd.consensus.subsidy import block_subsidy, funding_due, min_dev_fund_amount
from fluxd.consensus.validation import reject
from fluxd.core.address import address_to_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import TxOut
from fluxd.params.chainparams import ChainParams
from fluxd.params.upgrades import Upgrade, is_pon_active, network_upgrade_active

NO_PAYEES: tuple[tuple[bytes, int], ...] = ()


@dataclass(frozen=True, slots=True)
class FundingOutput:
    kind: str  # "exchange" | "foundation" | "swappool" (reject reason tx-coinbase-missing-<kind>-funding)
    address: str
    script: bytes
    amount: int  # exact


@dataclass(frozen=True, slots=True)
class RequiredOutputs:
    miner_amount: int  # subsidy + fees less the fluxnode payouts: the first output a builder writes
    funding: tuple[FundingOutput, ...]  # the funding outputs due at this height, in C++ order
    dev_fund_script: bytes | None  # under PoN: some output pays this script at least ``dev_fund_minimum``
    dev_fund_minimum: int
    fluxnode_payees: tuple[tuple[bytes, int], ...]  # (script, exact amount) from the fluxnode list
    value_limit: int  # ConnectBlock: the coinbase pays at most this (above height 2)


def required_outputs(params: ChainParams, height: int, fees: int = 0,
                     fluxnode_payees: Sequence[tuple[bytes, int]] = NO_PAYEES) -> RequiredOutputs:  # fmt: skip
    funding = tuple(FundingOutput(kind, address, address_to_script(address, params.base58), amount)
                    for kind, address, amount in funding_due(params, height))  # fmt: skip
    pon = network_upgrade_active(params, height, Upgrade.PON)
    minimum = min_dev_fund_amount(params, height) if pon else 0
    dev_fund = address_to_script(params.dev_fund_address, params.base58) if pon and minimum > 0 else None
    subsidy = block_subsidy(params, height)
    payees = tuple(fluxnode_payees)
    return RequiredOutputs(
        miner_amount=subsidy + fees - sum(amount for _, amount in payees),
        funding=funding,
        dev_fund_script=dev_fund,
        dev_fund_minimum=minimum,
        fluxnode_payees=payees,
        value_limit=subsidy + fees + sum(output.amount for output in funding),
    )


def coinbase_outputs(required: RequiredOutputs, payout_script: bytes) -> tuple[TxOut, ...]:
    """The outputs builders write (C++ CreateNewBlock order): the miner's, the fluxnode payees, the funding outputs."""
    outputs = [TxOut(required.miner_amount, payout_script)]
    outputs += [TxOut(amount, script) for script, amount in required.fluxnode_payees]
    outputs += [TxOut(output.amount, output.script) for output in required.funding]
    return tuple(outputs)


def check_required_outputs(required: RequiredOutputs, coinbase: Transaction, dos: int) -> None:
    """The coinbase part of ContextualCheckTransaction: dev fund under PoN, then exchange, foundation, swap pool."""
    vout = coinbase.vout
    if required.dev_fund_script is not None:
        script, minimum = required.dev_fund_script, required.dev_fund_minimum
        if not any(out.script_pubkey == script and out.value >= minimum for out in vout):
            reject("tx-coinbase-missing-dev-funding", dos)
    for output in required.funding:
        if not any(out.script_pubkey == output.script and out.value == output.amount for out in vout):
            reject(f"tx-coinbase-missing-{output.kind}-funding", dos)


def check_coinbase_value(required: RequiredOutputs, coinbase: Transaction, height: int) -> None:
    """ConnectBlock: the coinbase pays at most subsidy + fees + the funding outputs due (above height 2)."""
    if height > 2 and sum(out.value for out in coinbase.vout) > required.value_limit:
        reject("bad-cb-amount")


def check_fluxnode_payouts(params: ChainParams, height: int, coinbase: Transaction,
                           payees: Sequence[tuple[bytes, int]]) -> None:  # fmt: skip
    """CheckFluxnodePayout (§5.2): every payee's output with its exact amount, each output approving at most
    one payee; under PoN an output no payee used pays the dev fund at least the subsidy left over."""
    remainder = block_subsidy(params, height) - sum(amount for _, amount in payees)
    check_dev_fund = is_pon_active(params, height)
    dev_fund_script = address_to_script(params.dev_fund_address, params.base58) if check_dev_fund else b""
    approved = [False] * len(payees)
    dev_fund_paid = False
    for out in coinbase.vout:
        used = False
        for index, (script, amount) in enumerate(payees):
            if not approved[index] and out.script_pubkey == script and out.value == amount:
                approved[index] = used = True
                break
        if check_dev_fund and not dev_fund_paid and not used:
            dev_fund_paid = out.script_pubkey == dev_fund_script and out.value >= remainder
    if (check_dev_fund and not dev_fund_paid) or not all(approved):
        reject("bad-txns-not-paying-correct-fluxnodes", 1)
