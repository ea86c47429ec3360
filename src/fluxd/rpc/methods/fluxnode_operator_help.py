"""Help texts of the operator fluxnode RPCs (C++ rpc/fluxnode.cpp), with the name they were called by."""

from __future__ import annotations


def _examples(name: str, args: str = "") -> str:
    """HelpExampleCli + HelpExampleRpc."""
    return (f"\nExamples:\n> flux-cli {name} {args}\n"
            f"> curl --user myusername --data-binary '{{\"jsonrpc\": \"1.0\", \"id\":\"curltest\", \"method\": \"{name}\", "
            f"\"params\": [{args}] }}' -H 'content-type: text/plain;' http://127.0.0.1:16124/\n")  # fmt: skip


def createkey_help(name: str) -> str:
    return f'{name}\n\nCreate a new fluxnode private key\n\nResult:\n"key"    (string) Fluxnode private key\n' + _examples(name)


def outputs_help(name: str) -> str:
    return (
        f"{name}\n"
        "\nPrint all fluxnode transaction outputs\n"
        "\nResult:\n"
        "[\n"
        "  {\n"
        '    "txhash": "xxxx",    (string) output transaction hash\n'
        '    "outputidx": n       (numeric) output index number\n'
        "  }\n"
        "  ,...\n"
        "]\n" + _examples(name)
    )


_STATUS_FIELDS = (
    '  "ip": "xxxx",                        (string) Fluxnode network address\n'
    '  "network": "network",                (string) Network type (IPv4, IPv6, onion)\n'
    '  "added_height": "height",            (string) Block height when fluxnode was added\n'
    '  "confirmed_height": "height",        (string) Block height when fluxnode was confirmed\n'
    '  "last_confirmed_height": "height",   (string) Last block height when fluxnode was confirmed\n'
    '  "last_paid_height": "height",        (string) Last block height when fluxnode was paid\n'
    '  "tier": "type",                      (string) Tier (CUMULUS/NIMBUS/STRATUS)\n'
    '  "payment_address": "xxxx",           (string) ZEL address for fluxnode payments\n'
    '  "pubkey": "key",                     (string) Fluxnode public key used for message broadcasting\n'
    '  "activesince": ttt,                    (numeric) The time in seconds since epoch (Jan 1 1970 GMT) fluxnode has been active\n'
    '  "lastpaid": ttt,                       (numeric) The time in seconds since epoch (Jan 1 1970 GMT) fluxnode was last paid\n'
)


def status_help(name: str) -> str:
    return (
        f"{name}\n"
        "\nPrint fluxnode status\n"
        "\nResult:\n"
        "{\n"
        '  "status": "xxxx",                    (string) Fluxnode status\n'
        '  "collateral": n,                       (string) Collateral transaction\n'
        '  "txhash": "xxxx",                    (string) Collateral transaction hash\n'
        '  "outidx": n,                           (numeric) Collateral transaction output index number\n'
        + _STATUS_FIELDS + "}\n" + _examples(name)
    )


def listconf_help(name: str) -> str:
    return (
        f'{name} ( "filter" )\n'
        "\nPrint fluxnode.conf in JSON format\n"
        "\nArguments:\n"
        '1. "filter"    (string, optional) Filter search text. Partial match on alias, address, txHash, or status.\n'
        "\nResult:\n"
        "[\n"
        "  {\n"
        '    "alias": "xxxx",                       (string) fluxnode alias\n'
        '    "status": "xxxx",                      (string) fluxnode status\n'
        '    "collateral": n,                         (string) Collateral transaction\n'
        '    "txHash": "xxxx",                      (string) transaction hash\n'
        '    "outputIndex": n,                        (numeric) transaction output index\n'
        '    "privateKey": "xxxx",                  (string) fluxnode private key\n'
        '    "address": "xxxx",                     (string) fluxnode IP address\n'
        '    "ip": "xxxx",                          (string) Fluxnode network address\n'
        '    "network": "network",                  (string) Network type (IPv4, IPv6, onion)\n'
        '    "added_height": "height",              (string) Block height when fluxnode was added\n'
        '    "confirmed_height": "height",          (string) Block height when fluxnode was confirmed\n'
        '    "last_confirmed_height": "height",     (string) Last block height when fluxnode was confirmed\n'
        '    "last_paid_height": "height",          (string) Last block height when fluxnode was paid\n'
        '    "tier": "type",                        (string) Tier (CUMULUS/NIMBUS/STRATUS)\n'
        '    "payment_address": "xxxx",             (string) ZEL address for fluxnode payments\n'
        '    "activesince": ttt,                      (numeric) The time in seconds since epoch (Jan 1 1970 GMT) fluxnode has been active\n'
        '    "lastpaid": ttt,                         (numeric) The time in seconds since epoch (Jan 1 1970 GMT) fluxnode was last paid\n'
        "  }\n"
        "  ,...\n"
        "]\n" + _examples(name)
    )


_START_RESULT = (
    "\nArguments:\n"
    "1. set         (string, required) Specify which set of fluxnode(s) to start.\n"
    "2. lockwallet  (boolean, required) Lock wallet after completion.\n"
    "3. alias       (string) Fluxnode alias. Required if using 'alias' as the set.\n"
    "\nResult: (for 'local' set):\n"
    '"status"     (string) Fluxnode status message\n'
    "\nResult: (for other sets):\n"
    "{\n"
    '  "overall": "xxxx",     (string) Overall status message\n'
    '  "detail": [\n'
    "    {\n"
    '      "node": "xxxx",    (string) Node name or alias\n'
    "      \"result\": \"xxxx\",  (string) 'success' or 'failed'\n"
    '      "error": "xxxx"    (string) Error message, if failed\n'
    "    }\n"
    "    ,...\n"
    "  ]\n"
    "}\n"
)


def start_help(name: str) -> str:
    return (f'{name} "all|alias" lockwallet ( "alias" )\n\nAttempts to start one or more fluxnode(s)\n'
            + _START_RESULT + _examples(name, '"alias" "0" "my_zn"'))  # fmt: skip


def start_deterministic_help(name: str) -> str:
    return (f"{name} alias_name lockwallet\n\nAttempts to start one fluxnode\n"
            + _START_RESULT + _examples(name, '"alias_name" false').replace(" false\n> curl", " false \n> curl"))  # fmt: skip
