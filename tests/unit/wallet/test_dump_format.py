"""The dumpwallet / importwallet text format (C++ rpcdump.cpp): lines written and read back as C++ does."""

from __future__ import annotations

from fluxd.wallet.dump_format import (
    KIND_CHANGE,
    KIND_LABEL,
    KIND_RESERVE,
    DumpHeader,
    DumpKey,
    DumpRecord,
    decode_dump_string,
    decode_dump_time,
    encode_dump_string,
    encode_dump_time,
    format_dump,
    format_key_line,
    parse_dump,
    parse_line,
    split_fields,
)

WIF = "cVDy3BpQNFpGVnsrmXTgGSuU3eq5aeyo514hJazyU2jYtYaSXyZw"
HEADER = DumpHeader("v9.1.0", "fluxd 0.1.0", 1_700_000_000, 12, "ab" * 32, 1_699_999_000, "", "cd" * 32)


def test_dump_times():
    assert encode_dump_time(0) == "1970-01-01T00:00:00Z"
    assert encode_dump_time(1) == "1970-01-01T00:00:01Z"
    assert encode_dump_time(1_700_000_000) == "2023-11-14T22:13:20Z"
    assert decode_dump_time("2023-11-14T22:13:20Z") == 1_700_000_000
    assert decode_dump_time("1970-01-01T00:00:01Z") == 1
    assert decode_dump_time("2023-11-14T22:13:20Zjunk") == 1_700_000_000  # get_time stops at the format's end
    for bad in ("", "2023-11-14", "2023-13-01T00:00:00Z", "2023-11-14 22:13:20Z", "x2023-11-14T22:13:20Z"):
        assert decode_dump_time(bad) == 0
    assert decode_dump_time("2023-02-31T00:00:00Z") == decode_dump_time("2023-03-03T00:00:00Z")  # timegm normalises


def test_dump_strings():
    assert encode_dump_string("") == ""
    assert encode_dump_string("plain-label_1") == "plain-label_1"
    assert encode_dump_string("a b%c") == "a%20b%25c"
    assert encode_dump_string("tab\there\n") == "tab%09here%0a"
    assert encode_dump_string("é") == "%c3%a9"
    for text in ("", "a b%c", "é ü 日本", "%", "100%", "x\x7f"):
        assert decode_dump_string(encode_dump_string(text)) == text
    assert decode_dump_string("%41%4a%4A") == "AJJ"
    assert decode_dump_string("%4") == "%4" and decode_dump_string("ab%") == "ab%"  # needs two characters after '%'
    assert decode_dump_string("%41") == "A"


def test_key_lines_are_the_cpp_format():
    addr = "tmXYZ"
    assert format_key_line(DumpKey(WIF, 1, KIND_LABEL, addr, "my label")) == f"{WIF} 1970-01-01T00:00:01Z label=my%20label # addr={addr}\n"
    assert format_key_line(DumpKey(WIF, 1, KIND_LABEL, addr, "")) == f"{WIF} 1970-01-01T00:00:01Z label= # addr={addr}\n"
    assert format_key_line(DumpKey(WIF, 0, KIND_RESERVE, addr)) == f"{WIF} 1970-01-01T00:00:00Z reserve=1 # addr={addr}\n"
    assert format_key_line(DumpKey(WIF, 0, KIND_CHANGE, addr)) == f"{WIF} 1970-01-01T00:00:00Z change=1 # addr={addr}\n"


def test_whole_dump_layout():
    text = format_dump(HEADER, [DumpKey(WIF, 1_700_000_000, KIND_RESERVE, "tmA")])
    assert text.splitlines() == [
        "# Wallet dump created by Flux v9.1.0 (fluxd 0.1.0)",
        "# * Created on 2023-11-14T22:13:20Z",
        f"# * Best block at time of backup was 12 ({'ab' * 32}),",
        "#   mined on 2023-11-14T21:56:40Z",
        f"# HDSeed= fingerprint={'cd' * 32}",
        "",
        f"{WIF} 2023-11-14T22:13:20Z reserve=1 # addr=tmA",
        "",
        "# End of dump",
    ]
    assert text.endswith("# End of dump\n")


def test_round_trip():
    keys = [
        DumpKey(WIF, 1, KIND_LABEL, "tmA", "pay me % now"),
        DumpKey(WIF + "2", 1_600_000_000, KIND_RESERVE, "tmB"),
        DumpKey(WIF + "3", 1_700_000_000, KIND_CHANGE, "tmC"),
        DumpKey(WIF + "4", 1_700_000_001, KIND_LABEL, "tmD", ""),
    ]
    records = list(parse_dump(format_dump(HEADER, keys)))
    assert records == [
        DumpRecord(WIF, 1, "pay me % now", True),
        DumpRecord(WIF + "2", 1_600_000_000, "", False),
        DumpRecord(WIF + "3", 1_700_000_000, "", False),
        DumpRecord(WIF + "4", 1_700_000_001, "", True),
    ]


def test_fields_split_as_cpp_split_string():
    assert split_fields("") == []
    assert split_fields("a b") == ["a", "b"]
    assert split_fields("a  b") == ["a", "", "b"]
    assert split_fields("a b ") == ["a", "b"]
    assert split_fields("a b  ") == ["a", "b", ""]


def test_lines_importwallet_skips_or_reads():
    assert parse_line("") is None
    assert parse_line("# comment with spaces") is None
    assert parse_line(WIF) is None  # fewer than two fields
    assert parse_line(" " + WIF) == DumpRecord("", decode_dump_time(WIF), "", True)  # an empty first field is kept
    assert parse_line(f"{WIF} garbage-time") == DumpRecord(WIF, 0, "", True)  # bad time: 0; no flag: labelled ""
    assert parse_line(f"{WIF} 1970-01-01T00:00:01Z # label=ignored") == DumpRecord(WIF, 1, "", True)
    assert parse_line(f"{WIF} 1970-01-01T00:00:01Z change=1 label=x") == DumpRecord(WIF, 1, "x", True)
    assert parse_line(f"{WIF} 1970-01-01T00:00:01Z label=x reserve=1") == DumpRecord(WIF, 1, "x", False)
    assert parse_line(f"{WIF} 1970-01-01T00:00:01Z label=a label=b") == DumpRecord(WIF, 1, "b", True)


def test_windows_line_ends_stay_in_the_last_field():
    records = list(parse_dump(f"{WIF} 1970-01-01T00:00:01Z label=x\r\n"))
    assert records == [DumpRecord(WIF, 1, "x\r", True)]  # std::getline splits on '\n' only
