"""Hypothesis strategies that build every wire type (valid encodings only)."""

from __future__ import annotations

from hypothesis import strategies as st

from fluxd.core.block import Block, BlockHeader
from fluxd.core.fluxnode_tx import FluxnodeConfirm, FluxnodeDelegates, FluxnodeStart, FluxnodeUnknown
from fluxd.core.shielded_parts import GROTH_PROOF_SIZE, JSDescription, OutputDescription, SpendDescription
from fluxd.core.transaction import OVERWINTER_VERSION_GROUP_ID, SAPLING_VERSION_GROUP_ID, Transaction
from fluxd.core.tx_parts import OutPoint, TxIn, TxOut

hash32 = st.binary(min_size=32, max_size=32)
u32 = st.integers(min_value=0, max_value=0xFFFFFFFF)
i32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
i64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
i8 = st.integers(min_value=-128, max_value=127)
script = st.binary(max_size=300)

outpoints = st.builds(OutPoint, hash32, u32)
txins = st.builds(TxIn, outpoints, script, u32)
txouts = st.builds(TxOut, i64, script)


@st.composite
def pubkeys(draw) -> bytes:
    if draw(st.booleans()):
        return bytes([draw(st.sampled_from([2, 3]))]) + draw(st.binary(min_size=32, max_size=32))
    return b"\x04" + draw(st.binary(min_size=64, max_size=64))


@st.composite
def phgr_proofs(draw) -> bytes:
    parts = []
    for prefix in (2, 2, 10, 2, 2, 2, 2, 2):
        body = 64 if prefix == 10 else 32
        parts.append(bytes([prefix | draw(st.integers(0, 1))]) + draw(st.binary(min_size=body, max_size=body)))
    return b"".join(parts)


def joinsplits(use_groth: bool):
    proof = st.binary(min_size=GROTH_PROOF_SIZE, max_size=GROTH_PROOF_SIZE) if use_groth else phgr_proofs()
    pair = st.tuples(hash32, hash32)
    cipher = st.binary(min_size=601, max_size=601)
    return st.builds(
        JSDescription, i64, i64, hash32, pair, pair, hash32, hash32, pair, proof, st.tuples(cipher, cipher)
    )


spends = st.builds(
    SpendDescription, hash32, hash32, hash32, hash32,
    st.binary(min_size=192, max_size=192), st.binary(min_size=64, max_size=64),
)
outputs = st.builds(
    OutputDescription, hash32, hash32, hash32,
    st.binary(min_size=580, max_size=580), st.binary(min_size=80, max_size=80), st.binary(min_size=192, max_size=192),
)


@st.composite
def regular_transactions(draw) -> Transaction:
    kind = draw(st.sampled_from(["v1", "v2", "v3", "v4"]))
    fields = {
        "vin": tuple(draw(st.lists(txins, max_size=3))),
        "vout": tuple(draw(st.lists(txouts, max_size=3))),
        "lock_time": draw(u32),
    }
    if kind == "v1":
        fields["version"] = draw(st.sampled_from([0, 1, -5 & 0x7FFFFFFF]))
    elif kind == "v2":
        fields["version"] = draw(st.sampled_from([2, 3, 4, 7]))
    else:
        fields["overwintered"] = True
        fields["version"] = 3 if kind == "v3" else 4
        fields["version_group_id"] = OVERWINTER_VERSION_GROUP_ID if kind == "v3" else SAPLING_VERSION_GROUP_ID
        fields["expiry_height"] = draw(u32)
    if kind == "v4":
        fields["value_balance"] = draw(i64)
        fields["shielded_spends"] = tuple(draw(st.lists(spends, max_size=2)))
        fields["shielded_outputs"] = tuple(draw(st.lists(outputs, max_size=2)))
        if fields["shielded_spends"] or fields["shielded_outputs"]:
            fields["binding_sig"] = draw(st.binary(min_size=64, max_size=64))
    if kind != "v1":
        fields["joinsplits"] = tuple(draw(st.lists(joinsplits(kind == "v4"), max_size=2)))
        if fields["joinsplits"]:
            fields["joinsplit_pubkey"] = draw(hash32)
            fields["joinsplit_sig"] = draw(st.binary(min_size=64, max_size=64))
    return Transaction(**fields)


delegates = st.one_of(
    st.builds(FluxnodeDelegates, st.just(1), st.just(1), st.lists(pubkeys(), max_size=5).map(tuple)),
    st.builds(FluxnodeDelegates, st.just(1), st.sampled_from([0, 2, 5])),
    st.builds(FluxnodeDelegates, st.sampled_from([0, 2]), i8),
)


@st.composite
def fluxnode_transactions(draw) -> Transaction:
    version = draw(st.sampled_from([5, 6]))
    kind = draw(st.sampled_from(["start", "confirm", "unknown"]))
    sig = draw(st.binary(max_size=80))
    if kind == "confirm":
        payload = FluxnodeConfirm(
            4, draw(outpoints), draw(u32), draw(i8), draw(u32), draw(i8), draw(st.binary(max_size=60)),
            sig, draw(st.binary(max_size=80)),
        )
    elif kind == "unknown":
        payload = FluxnodeUnknown(draw(i8.filter(lambda t: t not in (2, 4) and not (version == 6 and t & 2))))
    elif version == 5:
        payload = FluxnodeStart(2, draw(outpoints), draw(pubkeys()), draw(pubkeys()), draw(u32), sig)
    else:
        payload = draw(v6_starts(sig))
    return Transaction(version=version, fluxnode=payload)


@st.composite
def v6_starts(draw, sig: bytes) -> FluxnodeStart:
    flux_tx_version = draw(st.sampled_from([1, 2, 0x101, 0x102, 0x100, 0x103, 0x201]))
    normal = bool(flux_tx_version & 1) and not flux_tx_version & 2
    p2sh = not normal and bool(flux_tx_version & 2)
    using = bool(flux_tx_version & 0x100) and draw(st.booleans())
    return FluxnodeStart(
        n_type=2,
        collateral=draw(outpoints) if normal or p2sh else OutPoint.null(),
        collateral_pubkey=draw(pubkeys()) if normal else b"",
        pubkey=draw(pubkeys()) if normal or p2sh else b"",
        sig_time=draw(u32) if normal or p2sh else 0,
        sig=sig if normal or p2sh else b"",
        flux_tx_version=flux_tx_version,
        redeem_script=draw(script) if p2sh else b"",
        using_delegates=using,
        delegates=draw(delegates) if using else None,
    )


transactions = st.one_of(regular_transactions(), fluxnode_transactions())


@st.composite
def headers(draw) -> BlockHeader:
    common = dict(
        prev_block_rev=draw(hash32), merkle_root_rev=draw(hash32), final_sapling_root_rev=draw(hash32),
        time=draw(u32), bits=draw(u32),
    )
    if draw(st.booleans()):
        return BlockHeader(
            version=draw(st.integers(min_value=100, max_value=2**31 - 1)), collateral=draw(outpoints),
            block_sig=draw(st.binary(max_size=80)), **common,
        )
    solution = draw(st.sampled_from([0, 36, 52, 68, 100, 1344]))
    return BlockHeader(
        version=draw(st.integers(min_value=-(2**31), max_value=99)), nonce_rev=draw(hash32),
        solution=draw(st.binary(min_size=solution, max_size=solution)), **common,
    )


blocks = st.builds(Block, headers(), st.lists(transactions, max_size=3).map(tuple))
