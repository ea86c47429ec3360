"""When each wallet key was born (C++ CWallet::GetKeyBirthTimes), for dumpwallet's sort and times.

A key with a creation time keeps it.  A key without one (0: an old or
imported key) is dated by the first active-chain block holding a wallet
transaction that pays it, at most the block 144 below the tip (a reorg
margin), minus 7200 seconds (block times can be two hours off).
"""

from __future__ import annotations

from fluxd.core.standard import extract_destinations

REORG_MARGIN = 144
BLOCK_TIME_SLACK = 7200


def affected_keys(keys, script_pubkey: bytes, found: list[bytes] | None = None) -> list[bytes]:
    """CAffectedKeysVisitor: the wallet's key ids an output pays, through known redeem scripts."""
    found = [] if found is None else found
    _kind, destinations, _required = extract_destinations(script_pubkey)
    for destination in destinations:
        if destination.kind == "pubkeyhash":
            if keys.have_key(destination.hash160):
                found.append(destination.hash160)
        else:
            redeem = keys.get_script(destination.hash160)
            if redeem is not None:
                affected_keys(keys, redeem, found)
    return found


def key_birth_times(wallet, view) -> dict[bytes, int]:
    """Key id -> birth time for every key of the wallet (``view``: the active chain)."""
    keys = wallet.keys
    births = {key_id: created for key_id, created in keys.created.items() if created and key_id in keys.pubkeys}
    unknown = [key_id for key_id in keys.pubkeys if key_id not in births]
    if not unknown:
        return births
    latest = view.at(max(0, view.height - REORG_MARGIN))
    first = dict.fromkeys(unknown, latest)
    for wtx in wallet.txs.values():
        entry = view.lookup(wtx.block_hash_rev) if wtx.block_hash_rev is not None else None
        if entry is None or not view.contains(entry):
            continue
        for out in wtx.tx.vout:
            for key_id in affected_keys(keys, out.script_pubkey):
                if key_id in first and entry.height < first[key_id].height:
                    first[key_id] = entry
    for key_id, entry in first.items():
        births[key_id] = entry.time - BLOCK_TIME_SLACK
    return births
