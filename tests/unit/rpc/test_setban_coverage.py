"""setban's already-banned check (C++ CNode::IsBanned): an address inside a banned subnet, a subnet only itself."""

from fluxd.p2p.banlist import BanList, parse_subnet
from fluxd.rpc.methods.network import _already_banned


def test_an_address_covered_by_a_banned_subnet_is_already_banned():
    bans = BanList()
    bans.ban(parse_subnet("127.0.0.0/24"), now=1000, ban_time=3600)
    assert _already_banned(bans, parse_subnet("127.0.0.5"), False, 1001)
    assert not _already_banned(bans, parse_subnet("127.0.1.5"), False, 1001)
    assert not _already_banned(bans, parse_subnet("127.0.0.0/28"), True, 1001)  # a subnet: exact match only
    assert _already_banned(bans, parse_subnet("127.0.0.0/24"), True, 1001)
    assert not _already_banned(bans, parse_subnet("127.0.0.5"), False, 1000 + 3600)  # expired
