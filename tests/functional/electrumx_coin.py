"""A regtest ZelCash coin class for ElectrumX (the e-x package), and a launcher that runs ElectrumX's server with it.

ElectrumX picks its coin class from the COIN and NET environment variables among the ``Coin`` subclasses that are
members of the ``electrumx.lib.coins`` module (``Coin.lookup_coin_class``); putting ``ZelCashRegtest`` into that
module registers COIN=ZelCash, NET=regtest for ElectrumX's own unchanged server main.
Run it as a script: ``python tests/functional/electrumx_coin.py`` with ElectrumX's usual environment.
"""

from __future__ import annotations

from electrumx.lib import coins
from electrumx.lib.coins import ZelCash

from fluxd.params import networks

_REGTEST = networks.regtest_params()


class ZelCashRegtest(ZelCash):
    NET = "regtest"
    SHORTNAME = "FLUXR"
    P2PKH_VERBYTE = _REGTEST.base58.pubkey_address  # 1D25: the "tm..." addresses
    P2SH_VERBYTES = (_REGTEST.base58.script_address,)  # 1CBA
    WIF_BYTE = _REGTEST.base58.secret_key
    GENESIS_HASH = _REGTEST.genesis_hash_rev[::-1].hex()
    RPC_PORT = _REGTEST.rpc_port
    TX_COUNT = 1
    TX_COUNT_HEIGHT = 1
    TX_PER_BLOCK = 1
    REORG_LIMIT = 100
    PEERS: list[str] = []  # never any peer to reach out to
    BLACKLIST_URL = None


coins.ZelCashRegtest = ZelCashRegtest  # what lookup_coin_class scans


def main() -> None:
    from electrumx.cli.electrumx_server import main as electrumx_main

    electrumx_main()


if __name__ == "__main__":
    main()
