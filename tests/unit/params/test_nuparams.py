from __future__ import annotations

import pytest

from fluxd.params.nuparams import NuparamsError, parse_nuparams
from fluxd.params.upgrades import Upgrade


def test_branch_id_moves_first_matching_upgrade_like_cpp():
    assert parse_nuparams(["76b809bb:50"], "regtest") == {Upgrade.LWMA: 50}
    assert parse_nuparams(["74736554:7"], "regtest") == {Upgrade.TESTDUMMY: 7}


def test_names_move_any_upgrade():
    assert parse_nuparams(["pon:300", "FLUX:20"], "regtest") == {Upgrade.PON: 300, Upgrade.FLUX: 20}


@pytest.mark.parametrize(
    "values,network,message",
    [
        (["pon:3"], "main", "may only be overridden on regtest"),
        (["pon"], "regtest", "malformed"),
        (["pon:x"], "regtest", "Invalid nActivationHeight (x)"),
        (["00000000:5"], "regtest", "Invalid network upgrade (00000000)"),
        (["base_sprout:5"], "regtest", "Invalid network upgrade"),
    ],
)
def test_errors(values, network, message):
    with pytest.raises(NuparamsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_nuparams(values, network)
