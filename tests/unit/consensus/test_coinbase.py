"""The one coinbase rule: what builders write is what validation requires, at funding heights and under PoN."""

from __future__ import annotations

import pytest

from fluxd.consensus.coinbase import check_coinbase_value, check_required_outputs, coinbase_outputs, required_outputs
from fluxd.consensus.subsidy import block_subsidy, min_dev_fund_amount
from fluxd.consensus.validation import ValidationError
from fluxd.core.address import address_to_script
from fluxd.core.transaction import Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut
from fluxd.params import networks

MAIN = networks.main_params()
SCRIPT = b"\x51"


def _coinbase(outputs) -> Transaction:
    return Transaction(version=1, vin=(TxIn(OutPoint.null(), b"\x01\x01", 0xFFFFFFFF),), vout=tuple(outputs))


@pytest.mark.parametrize("height,kind", [(836_274, "exchange"), (836_994, "foundation"), (837_714, "swappool")])
def test_funding_heights_require_their_output(height, kind):
    required = required_outputs(MAIN, height, fees=1234)
    assert [output.kind for output in required.funding] == [kind]
    assert required.miner_amount == block_subsidy(MAIN, height) + 1234
    assert required.value_limit == required.miner_amount + required.funding[0].amount
    built = _coinbase(coinbase_outputs(required, SCRIPT))
    check_required_outputs(required, built, 100)
    check_coinbase_value(required, built, height)
    with pytest.raises(ValidationError) as missing:
        check_required_outputs(required, _coinbase(built.vout[:1]), 100)
    assert missing.value.reason == f"tx-coinbase-missing-{kind}-funding"
    with pytest.raises(ValidationError) as over:
        check_coinbase_value(required, _coinbase((*built.vout, TxOut(1, SCRIPT))), height)
    assert over.value.reason == "bad-cb-amount"


def test_pon_requires_the_dev_fund_minimum():
    height = 2_020_000
    required = required_outputs(MAIN, height)
    dev_fund = address_to_script(MAIN.dev_fund_address, MAIN.base58)
    assert required.dev_fund_script == dev_fund and required.dev_fund_minimum == min_dev_fund_amount(MAIN, height) > 0
    check_required_outputs(required, _coinbase([TxOut(required.dev_fund_minimum, dev_fund)]), 100)
    with pytest.raises(ValidationError) as short:
        check_required_outputs(required, _coinbase([TxOut(required.dev_fund_minimum - 1, dev_fund)]), 100)
    assert short.value.reason == "tx-coinbase-missing-dev-funding" and short.value.dos == 100
    assert required_outputs(MAIN, height - 1).dev_fund_script is None  # PoW era: no dev fund output


def test_fluxnode_payees_come_out_of_the_miner_amount_in_builder_order():
    payees = ((b"\x52", 3 * 10**8), (b"\x53", 5 * 10**8))
    required = required_outputs(MAIN, 1_500_000, fees=7, fluxnode_payees=payees)
    assert required.miner_amount == block_subsidy(MAIN, 1_500_000) + 7 - 8 * 10**8
    assert [(out.script_pubkey, out.value) for out in coinbase_outputs(required, SCRIPT)[1:]] == list(payees)
