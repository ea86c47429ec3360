"""Help texts of the wallet RPCs, as the C++ node prints them (src/wallet/rpcwallet.cpp, rpcdump.cpp).

``{passphrase}`` stands where C++ inserts HelpRequiringPassphrase (a line when the wallet is encrypted);
``{disabled}`` where encryptwallet inserts the -developerencryptwallet warning.  ``wallet_help`` fills them.
"""

from __future__ import annotations

from fluxd.rpc.methods import wallet_help_texts_1, wallet_help_texts_2

WALLET_HELP: dict[str, str] = {**wallet_help_texts_1.TEXTS, **wallet_help_texts_2.TEXTS}


def encryption_disabled_help(rpc: str, option: str) -> str:
    """C++ experimentalDisabledHelpMsg."""
    return (
        f"\nWARNING: {rpc} is disabled.\n"
        "To enable it, restart fluxd with the -experimentalfeatures and\n"
        f"-{option} commandline options, or add these two lines\n"
        "to the flux.conf file:\n\n"
        "experimentalfeatures=1\n"
        f"{option}=1\n"
    )


def wallet_help(name: str, encrypted: bool = False, encryption_enabled: bool = True) -> str:
    passphrase = "\nRequires wallet passphrase to be set with walletpassphrase call." if encrypted else ""
    disabled = "" if encryption_enabled else encryption_disabled_help(name, "developerencryptwallet")
    return WALLET_HELP[name].format(passphrase=passphrase, disabled=disabled)



def register_wallet_methods(table, methods: dict) -> None:
    """Register a wallet RPC group (category "wallet", the C++ help text of each)."""
    for name, handler in methods.items():
        table.register(name, "wallet", handler, wallet_help(name, encryption_enabled=name != "encryptwallet"))
