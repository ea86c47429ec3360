"""A stand-in for the Flux benchmark daemon and its CLI (fluxbenchd, fluxbench-cli) for tests.

``install_fake_fluxbench(directory)`` writes two executables there.  ``fluxbenchd`` marks the daemon
online (a state file beside them); ``fluxbench-cli`` answers what C++ fluxd asks: ``getstatus true``
(JSON with "status"), ``getstatus``, ``getbenchmarks``, ``stop`` and ``signfluxnodetransaction <hex>``,
which sets the benchmark tier and time of a CONFIRM and signs it with the regtest benchmark key
(tests/fluxnode_building.py TEST_BENCHMARK_KEY, the key ``-regtestbenchmarkpubkey`` announces).
Every call is appended to ``calls.log`` so tests can see what the node ran.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIERS = {1: "CUMULUS", 2: "NIMBUS", 3: "STRATUS"}

_CLI = '''#!{python}
import json, sys, time
from pathlib import Path
sys.path[:0] = [{src!r}, {root!r}]
here = Path(__file__).resolve().parent
state = here / "state.json"
args = [a for a in sys.argv[1:] if a != "-testnet"]
with open(here / "calls.log", "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
current = json.loads(state.read_text()) if state.exists() else {{"online": False, "status": "complete", "tier": 1}}
if not args:
    sys.exit(1)
if not current["online"]:
    print("error: couldn't connect to fluxbenchd", file=sys.stderr)
    sys.exit(1)
command = args[0]
if command == "getstatus":
    print(json.dumps({{"status": "online", "benchmarking": current["status"], "fluxbench": "5.0.0"}}, indent=2))
elif command == "getbenchmarks":
    print(json.dumps({{"status": "online", "time": int(time.time()), "ipaddress": "127.0.0.1",
                      "benchmarking": current["status"], "cores": 8, "ram": 32, "ssd": 800, "eps": 300.0}}, indent=2))
elif command == "stop":
    current["online"] = False
    state.write_text(json.dumps(current))
    print("fluxbench stopping")
elif command == "signfluxnodetransaction":
    if current["status"] != "complete":
        print(json.dumps({{"status": current["status"]}}))
        sys.exit(0)
    from tests.fake_fluxbench import sign_with_benchmark_key
    print(json.dumps(sign_with_benchmark_key(args[1], current["tier"], current.get("time"), current.get("ip"))))
else:
    print("error: unknown command", file=sys.stderr)
    sys.exit(1)
'''

_DAEMON = '''#!{python}
import json
from pathlib import Path
here = Path(__file__).resolve().parent
state = here / "state.json"
current = json.loads(state.read_text()) if state.exists() else {{"status": "complete", "tier": 1}}
current["online"] = True
state.write_text(json.dumps(current))
with open(here / "calls.log", "a") as log:
    log.write("fluxbenchd started\\n")
'''


def install_fake_fluxbench(directory: Path, *, online: bool = False, status: str = "complete", tier: int = 1,
                           names: tuple[str, str] = ("fluxbench-cli", "fluxbenchd")) -> Path:  # fmt: skip
    directory.mkdir(parents=True, exist_ok=True)
    fill = {"python": sys.executable, "src": str(ROOT / "src"), "root": str(ROOT)}
    for name, text in zip(names, (_CLI, _DAEMON)):
        path = directory / name
        path.write_text(text.format(**fill))
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    set_state(directory, online=online, status=status, tier=tier)
    return directory


def set_state(directory: Path, **changes) -> None:
    path = directory / "state.json"
    current = json.loads(path.read_text()) if path.exists() else {"online": False, "status": "complete", "tier": 1}
    current.update(changes)
    path.write_text(json.dumps(current))


def wait_until_online(directory: Path, timeout: float = 30.0) -> None:
    """Block until the fake fluxbenchd started in the background has marked itself online."""
    import time

    deadline = time.monotonic() + timeout
    while not json.loads((directory / "state.json").read_text()).get("online"):
        if time.monotonic() > deadline:
            raise AssertionError("the fake fluxbenchd did not come up")
        time.sleep(0.05)


def calls(directory: Path) -> list[str]:
    path = directory / "calls.log"
    return path.read_text().splitlines() if path.exists() else []


def sign_with_benchmark_key(tx_hex: str, tier: int, sig_time: int | None = None, ip: str | None = None) -> dict:
    """What fluxbench answers: the CONFIRM with its benchmark tier, time, IP and signature.  Without a time
    the CONFIRM's own sigTime is used (it follows the node's mock time); without an IP the CONFIRM keeps its own."""
    from dataclasses import replace

    from fluxd.core.ecdsa import sign_message
    from fluxd.consensus.fluxnode_sigs import benchmark_message
    from fluxd.core.transaction import Transaction
    from tests.fluxnode_building import TEST_BENCHMARK_KEY

    tx = Transaction.from_hex(tx_hex)
    confirm = replace(tx.fluxnode, benchmark_tier=tier,
                      benchmark_sig_time=tx.fluxnode.sig_time if sig_time is None else int(sig_time),
                      ip=tx.fluxnode.ip if ip is None else ip.encode())  # fmt: skip
    signature = sign_message(TEST_BENCHMARK_KEY.secret, benchmark_message(confirm), TEST_BENCHMARK_KEY.compressed)
    signed = tx.copy_with(fluxnode=replace(confirm, benchmark_sig=signature))
    return {"status": "complete", "tier": TIERS.get(tier, str(tier)), "hex": signed.to_bytes().hex()}
