"""fluxd -help lists every option the node implements, none it refuses, with C++ HelpMessage's text and layout."""

from __future__ import annotations

import re
from pathlib import Path

from fluxd.cli.fluxd_main import USAGE
from fluxd.node.help_text import HELP_OPTIONS, SECTIONS, format_paragraph, help_message_opt
from fluxd.node.options import KNOWN_OPTIONS, NOT_BUILT

ALIASES = {"h", "help", "version"}  # C++ lists only -?
SRC = Path(__file__).resolve().parents[3] / "src" / "fluxd"


def documented() -> list[str]:
    return re.findall(r"^  -([a-z?][a-z-]*)", USAGE, flags=re.MULTILINE)


def test_every_documented_option_is_known():
    names = documented()
    assert names and all(name in KNOWN_OPTIONS for name in names), set(names) - KNOWN_OPTIONS
    for name in ("dbcache", "par", "reindex", "loadblock", "txindex", "checkblocks", "checklevel", "checkpoints"):
        assert name in names


def test_every_implemented_option_is_documented_once():
    names = documented()
    assert len(names) == len(set(names))
    assert set(names) == KNOWN_OPTIONS - set(NOT_BUILT) - ALIASES


def test_no_refused_option_is_documented():
    assert not set(documented()) & set(NOT_BUILT)


def test_every_known_option_is_read_by_code_or_refused():
    """An option no code reads would be accepted silently: it belongs in NOT_BUILT."""
    sources = "\n".join(path.read_text() for path in SRC.rglob("*.py") if path.name != "options.py")
    unread = {name for name in KNOWN_OPTIONS - set(NOT_BUILT)
              if f'"-{name}"' not in sources and f"'-{name}'" not in sources}
    assert not unread


def test_sections_in_cpp_order():
    headings = [line for line in USAGE.splitlines() if line.endswith(":") and not line.startswith(" ")]
    assert headings == ["Usage:", *SECTIONS]
    assert {option.section for option in HELP_OPTIONS} == set(SECTIONS)


def test_layout_is_cpp_help_message_opt():
    body = USAGE.split("Options:\n\n", 1)[1]
    for line in body.splitlines():
        assert len(line) <= 79, line
        assert line == "" or line.endswith(":") or re.match(r"  -\S", line) or re.match(r" {7}\S", line)
    assert USAGE.endswith("\n\n")


def test_format_paragraph_wraps_as_cpp():
    # FormatParagraph(width 72, indent 7): a word goes to the next line when col + len(word) > 72,
    # col counting each word and the space after it.
    assert format_paragraph("a " * 3) == "a a a"
    words = ["x" * 35, "y" * 35, "z"]  # 35+1+35 = 71 fits, then col 72 + 1 > 72 wraps
    assert format_paragraph(" ".join(words)) == f"{'x' * 35} {'y' * 35}\n       z"
    assert format_paragraph("x" * 36 + " " + "y" * 36) == "x" * 36 + "\n       " + "y" * 36  # 37 + 36 > 72


# C++ init.cpp HelpMessage strings with their defaults filled in (HelpMessageOpt output, fluxd v6).
CPP_TEXTS = {
    "-conf=<file>": "Specify configuration file (default: flux.conf)",
    "-dbcache=<n>": "Set database cache size in megabytes (4 to 16384, default: 450)",
    "-loadblock=<file>": "Imports blocks from external blk000??.dat file on startup",
    "-maxconnections=<n>": "Maintain at most <n> connections to peers (default: 125)",
    "-mempooltxcostlimit=<n>": "An upper bound on the maximum size in bytes of all transactions in the mempool. "
                               "(default: 80000000)",
    "-whitelist=<netmask>": "Whitelist peers connecting from the given netmask or IP address. Can be specified "
                            "multiple times. Whitelisted peers cannot be DoS banned and their transactions are "
                            "always relayed, even if they are already in the mempool, useful e.g. for a gateway",
    "-rpcallowip=<ip>": "Allow JSON-RPC connections from specified source. Valid for <ip> are a single IP (e.g. "
                        "1.2.3.4), a network/netmask (e.g. 1.2.3.4/255.255.255.0) or a network/CIDR (e.g. "
                        "1.2.3.4/24). This option can be specified multiple times",
    "-blockmaxsize=<n>": "Set maximum block size in bytes (default: 2000000)",
    "-testnet": "Use the test network",
    "-stopafterblockimport": "Stop running after importing blocks from disk (default: 0)",
}


def test_texts_equal_cpp():
    for option, text in CPP_TEXTS.items():
        assert help_message_opt(option, text) in USAGE, option


def test_whitelist_wrapped_exactly_as_cpp():
    expected = """  -whitelist=<netmask>
       Whitelist peers connecting from the given netmask or IP address. Can be
       specified multiple times. Whitelisted peers cannot be DoS banned and
       their transactions are always relayed, even if they are already in the
       mempool, useful e.g. for a gateway

"""
    assert expected in USAGE


def test_defaults_in_texts_match_the_code():
    from fluxd.chainstate.tip_cache import DEFAULT_DBCACHE_MIB
    from fluxd.chainstate.verify_db import DEFAULT_CHECKBLOCKS, DEFAULT_CHECKLEVEL
    from fluxd.mempool.limit import DEFAULT_MEMPOOL_EVICTION_MEMORY_MINUTES, DEFAULT_MEMPOOL_TOTAL_COST_LIMIT
    from fluxd.mempool.orphans import DEFAULT_MAX_ORPHAN_TRANSACTIONS
    from fluxd.p2p.protocol import DEFAULT_BANSCORE_THRESHOLD, DEFAULT_MAX_PEER_CONNECTIONS, DEFAULT_MISBEHAVING_BANTIME
    from fluxd.rpc.tx_selection import DEFAULT_BLOCK_MAX_SIZE, DEFAULT_BLOCK_MIN_SIZE, DEFAULT_BLOCK_PRIORITY_SIZE

    texts = {option.name: option.text for option in HELP_OPTIONS}
    for name, default in [
        ("dbcache", DEFAULT_DBCACHE_MIB), ("checkblocks", DEFAULT_CHECKBLOCKS), ("checklevel", DEFAULT_CHECKLEVEL),
        ("mempoolevictionmemoryminutes", DEFAULT_MEMPOOL_EVICTION_MEMORY_MINUTES),
        ("mempooltxcostlimit", DEFAULT_MEMPOOL_TOTAL_COST_LIMIT), ("maxorphantx", DEFAULT_MAX_ORPHAN_TRANSACTIONS),
        ("banscore", DEFAULT_BANSCORE_THRESHOLD), ("maxconnections", DEFAULT_MAX_PEER_CONNECTIONS),
        ("bantime", DEFAULT_MISBEHAVING_BANTIME), ("blockmaxsize", DEFAULT_BLOCK_MAX_SIZE),
        ("blockminsize", DEFAULT_BLOCK_MIN_SIZE), ("blockprioritysize", DEFAULT_BLOCK_PRIORITY_SIZE),
    ]:
        assert re.search(rf"default: {default}\b", texts[name]), name
