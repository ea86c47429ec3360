"""fluxnode.conf parsing as C++ CFluxnodeConfig::read: entries, comments, the created header, errors with line numbers."""

from __future__ import annotations

import pytest

from fluxd.wallet.active_fluxnode import ActiveFluxnode, uint256_from_hex
from fluxd.wallet.fluxnode_config import (
    HEADER,
    FluxnodeConfigError,
    FluxnodeEntry,
    config_path,
    read_config,
    split_host_port,
    stoi,
    write_entry_line,
)

TXID = "2bcd3c84c84f87eaa86e4e56834c92927a07f9e18718810b92e0d0324456a67c"
KEY = "93HaYBVUCYjEMeeH1Y4sBGLALQZE1Yc1K64xiqgX37tGBDQL8Xg"


def _write(tmp_path, text: str):
    path = tmp_path / "fluxnode.conf"
    path.write_text(text)
    return path


def test_a_missing_file_is_created_with_the_cxx_header_and_reads_empty(tmp_path):
    path = tmp_path / "fluxnode.conf"
    assert read_config(path, is_mainnet=False) == []
    assert path.read_text() == HEADER
    assert read_config(path, is_mainnet=False) == []  # the header is all comments


def test_entries_comments_blank_lines_and_extra_words(tmp_path):
    text = (f"# comment\n\n   #indented comment\nzn1 127.0.0.2:16126 {KEY} {TXID} 0\n"
            f"zn2\t[::1]:8000  {KEY}  {TXID}  1 trailing words\n")  # fmt: skip
    entries = read_config(_write(tmp_path, text), is_mainnet=False)
    assert entries == [FluxnodeEntry("zn1", "127.0.0.2:16126", KEY, TXID, "0"),
                       FluxnodeEntry("zn2", "[::1]:8000", KEY, TXID, "1")]  # fmt: skip
    assert write_entry_line(entries[0]) == f"zn1 127.0.0.2:16126 {KEY} {TXID} 0\n"


@pytest.mark.parametrize("line, message", [
    ("zn1 127.0.0.2:16126 key txid", "Could not parse zelnode.conf"),
    ("zn1 127.0.0.2 key txid 0", "Failed to parse host:port string"),
    ("zn1 :16126 key txid 0", "Failed to parse host:port string"),
    ("zn1 1.2.3.4:0 key txid 0", "Failed to parse host:port string"),
])  # fmt: skip
def test_parse_errors_name_the_line(tmp_path, line, message):
    path = _write(tmp_path, f"# header\n{line}\n")
    with pytest.raises(FluxnodeConfigError) as caught:
        read_config(path, is_mainnet=False)
    assert str(caught.value) == f'{message}\nLine: 2\n"{line}"'


def test_the_mainnet_port_rules(tmp_path):
    line = f"zn1 1.2.3.4:16126 {KEY} {TXID} 0"
    with pytest.raises(FluxnodeConfigError) as caught:
        read_config(_write(tmp_path, line + "\n"), is_mainnet=True)
    assert str(caught.value) == f'Invalid port detected in zelnode.conf\nLine: 1\n"{line}"\n(must be 51472 for mainnet)'
    main_line = line.replace("16126", "16125")
    assert len(read_config(_write(tmp_path, main_line), is_mainnet=True)) == 1
    with pytest.raises(FluxnodeConfigError) as caught:
        read_config(_write(tmp_path, main_line), is_mainnet=False)
    assert str(caught.value).endswith('"\n(16125 could be used only on mainnet)')


def test_zelnode_conf_wins_when_it_exists(tmp_path):
    assert config_path(tmp_path, None) == tmp_path / "fluxnode.conf"
    (tmp_path / "zelnode.conf").write_text("")
    assert config_path(tmp_path, None) == tmp_path / "zelnode.conf"
    assert config_path(tmp_path, "/abs/other.conf").as_posix() == "/abs/other.conf"


def test_split_host_port_as_cxx():
    assert split_host_port("1.2.3.4:16125") == (16125, "1.2.3.4")
    assert split_host_port("[::1]:80") == (80, "::1")
    assert split_host_port("::1") == (0, "::1")
    assert split_host_port("host:99999") == (0, "host:99999")
    assert split_host_port("host:+80") == (80, "host")


def test_index_conversion_and_conf_outpoints():
    assert stoi(" 7x") == 7 and stoi("-1") == -1 and stoi("x") is None
    entries = (FluxnodeEntry("a", "1.2.3.4:1", KEY, TXID, "1"), FluxnodeEntry("b", "1.2.3.4:1", KEY, TXID, "bad"))
    outpoints = ActiveFluxnode(entries=entries).conf_outpoints()
    assert [(o.txid_hum, o.n) for o in outpoints] == [(TXID, 1)]
    assert uint256_from_hex("0x" + TXID)[::-1].hex() == TXID
    assert uint256_from_hex("ab") == bytes([0xAB]) + bytes(31)
