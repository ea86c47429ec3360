"""Next-work rules on synthetic chains: regtest PoW (PoN moved away), PoN, epoch resets and the ramp quirk."""

from __future__ import annotations

from dataclasses import dataclass

from fluxd.consensus.compact import get_compact, set_compact
from fluxd.consensus.difficulty import lwma3_next_work as lwma3
from fluxd.consensus.difficulty import median_time_past, next_pon_work_required, next_work_required
from fluxd.params import networks
from fluxd.params.upgrades import Upgrade


@dataclass(eq=False)
class Entry:
    height: int
    time: int
    bits: int
    prev: "Entry | None" = None

    def ancestor(self, height: int) -> "Entry | None":
        walker = self
        while walker is not None and walker.height > height:
            walker = walker.prev
        return walker if walker is not None and walker.height == height else None


def build_chain(params, count: int, spacing: int, start_time: int = 1_296_688_602) -> list[Entry]:
    """Blocks 0..count with each block's bits as next_work_required demands."""
    chain = [Entry(0, start_time, params.genesis.bits)]
    for height in range(1, count + 1):
        time = chain[-1].time + spacing
        chain.append(Entry(height, time, next_work_required(params, chain[-1], time), chain[-1]))
    return chain


POW_REGTEST = networks.regtest_params({Upgrade.PON: 1_000_000})
LIMIT_BITS = get_compact(POW_REGTEST.pow_limit)


def _wrapped_ramp(prev_height: int) -> int:
    """The C++ ZelHash ramp when LWMA3 is at the limit: the multiplier wraps to 32 bits."""
    full = set_compact(LIMIT_BITS).target  # LWMA3 returns compact bits, so the limit arrives rounded
    multiplier = (9 + 61 - prev_height) % (1 << 32)
    return get_compact(min((full + (full >> 5) * multiplier) & ((1 << 256) - 1), POW_REGTEST.pow_limit))


def test_regtest_600s_spacing_resets_to_limit_except_the_ramp_quirk():
    chain = build_chain(POW_REGTEST, 200, 600)
    assert LIMIT_BITS == 0x200F0F0F
    quirky = {entry.height: entry.bits for entry in chain[1:] if entry.bits != LIMIT_BITS}
    # C++ arith_uint256 wraps (P * 150) and (P * 67) in LWMA3's clamps at the regtest limit, and the
    # ramp multiplier wraps to 32 bits: blocks 71-73 leave the limit even at 600 s spacing.
    assert quirky == {71: 0x200268CF, 72: 0x20019058, 73: 0x200232FB}


def test_regtest_back_to_back_tightens_after_the_epoch_windows():
    chain = build_chain(POW_REGTEST, 200, 1)
    assert all(entry.bits == LIMIT_BITS for entry in chain[1:71])
    targets = [set_compact(entry.bits).target for entry in chain]
    assert [hex(entry.bits) for entry in chain[71:75]] == ["0x200268cf", "0x20019058", "0x2000fb76", "0x2000a87a"]
    for height in range(75, 201):
        assert targets[height] <= targets[height - 1]
        assert set_compact(get_compact(targets[height - 1] * 67 // 100)).target <= targets[height]
    assert targets[200] < targets[100] < POW_REGTEST.pow_limit


def test_ramp_multiplier_wraps_to_32_bits():
    chain = build_chain(POW_REGTEST, 80, 1)
    prev = chain[71]
    full = set_compact(lwma3(POW_REGTEST, prev)).target
    wrapped = (full + (full >> 5) * ((9 + 61 - 71) % (1 << 32))) & ((1 << 256) - 1)
    assert chain[72].bits == get_compact(min(wrapped, POW_REGTEST.pow_limit))
    assert _wrapped_ramp(70) == LIMIT_BITS


def test_median_time_past():
    chain = build_chain(POW_REGTEST, 20, 10)
    assert median_time_past(chain[20]) == chain[15].time
    assert median_time_past(chain[2]) == chain[1].time


def test_pon_regtest_difficulty():
    params = networks.regtest_params()
    start_bits = get_compact(params.pon_start_limit)
    chain = [Entry(0, 1_700_000_000, params.genesis.bits)]
    for height in range(1, 130):
        chain.append(Entry(height, chain[-1].time + 30, next_work_required(params, chain[-1], None), chain[-1]))
    assert all(entry.bits == start_bits for entry in chain[1:59])
    assert chain[59].bits == start_bits
    # from height 60 the window reaches genesis, whose old timestamp makes the span maximal (x5/4)
    expected = get_compact(min((set_compact(start_bits).target // (59 * 30)) * (59 * 30 * 5 // 4), params.pon_limit))
    assert chain[60].bits == expected
    steady = next_pon_work_required(params, chain[-1])
    assert steady == chain[-1].bits or set_compact(steady).target <= params.pon_limit


def test_mainnet_pon_start_window():
    params = networks.main_params()
    prev = Entry(2_020_010, 1_761_415_235, 0x1F0BFFFF)
    assert next_pon_work_required(params, prev) == get_compact(params.pon_start_limit)
    before = Entry(2_019_990, 1_761_415_235, 0x1D2EE03B)
    assert next_pon_work_required(params, before) == 0x1D2EE03B
