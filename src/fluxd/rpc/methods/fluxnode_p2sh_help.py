"""Help texts of the P2SH fluxnode start RPCs (C++ rpc/fluxnode.cpp): createp2shstarttx, signp2shstarttx,
sendp2shstarttx, startp2shasdelegate."""

from __future__ import annotations

EXAMPLE_REDEEM = ("52210359abaeb6e0b4b3602b497e5adf74d816db9f5ea2f112b7402da447f711ba05f92103463417"
                  "68cd2e0ec0e40df68234713cdf9a3d4b54bd53cc82d9e0ffca05f6676a52ae")  # fmt: skip
EXAMPLE_VPS = "02d8ada61e8847722e91cc652082174e8b6b2844661d518e0eb78e65790f3b451c"
EXAMPLE_TXID = "9503edca5193bb7a61e5c7173cb51d453984a2779ab32db32de8f9f65b8f11a0"
EXAMPLE_DELEGATE = "02b3e8d5c47d2d968de255e9e81a6e1eaa5a186ae64de6ec5cc2aa24e50e7c2c1a"
EXAMPLE_COLLATERAL = "1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d"
EXAMPLE_DELEGATE_WIF = "93HaYBVUCYjEMeeH1Y4sBGLALQZE1Yc1K64xiqgX37tGBDQL8Xg"


def cli(name: str, args: str) -> str:
    """HelpExampleCli."""
    return f"> flux-cli {name} {args}\n"


def rpc(name: str, args: str) -> str:
    """HelpExampleRpc."""
    return (f"> curl --user myusername --data-binary '{{\"jsonrpc\": \"1.0\", \"id\":\"curltest\", \"method\": "
            f"\"{name}\", \"params\": [{args}] }}' -H 'content-type: text/plain;' http://127.0.0.1:16124/\n")  # fmt: skip


_CREATE_ARGS = f'"{EXAMPLE_REDEEM}" "{EXAMPLE_VPS}" "{EXAMPLE_TXID}" 0'

CREATEP2SHSTARTTX_HELP = (
    'createp2shstarttx "redeemscript" "vpspubkey" "txid" index ( ["delegatepubkey1", "delegatepubkey2", ...] )\n'
    "\nCreate a transaction spending the given inputs and sending to the given addresses.\n"
    "Returns hex-encoded raw transaction.\n"
    "Note that the transaction's inputs are not signed, and\n"
    "it is not stored in the wallet or transmitted to the network.\n"
    "\nArguments:\n"
    '1. "redeemscript"        (string, required) The redeemscript of the multisig address that hold the collateral '
    "for the fluxnode\n"
    '2. "vpspubkey"           (string, required) The pubkey the the fluxnode server will use to confirm fluxnode '
    "transactions\n"
    '3. "txid"                (string, required) the transaction hash of the collateral input\n'
    '4. "index"               (number, required) the index of the transaction collateral input\n'
    '5. "delegates"           (array, optional) Array of delegate public keys (compressed, up to 4) who can start '
    "the node\n"
    "\nResult:\n"
    '"transaction"            (string) hex string of the transaction\n'
    "\nExamples\n"
    + cli("createp2shstarttx", _CREATE_ARGS)
    + cli("createp2shstarttx", f"{_CREATE_ARGS} '[\"{EXAMPLE_DELEGATE}\"]'")
    + rpc("createp2shstarttx", f'"{EXAMPLE_REDEEM}", "{EXAMPLE_VPS}", "{EXAMPLE_TXID}", 0, ["{EXAMPLE_DELEGATE}"]')
)

SIGNP2SHSTARTTX_HELP = (
    "signp2shstarttx \n"
    "\nSign a Multisig Fluxnode Start Transaction\n"
    "\nArguments:\n"
    "1. rawtxhex         (string, required) The raw hex for the multisig Fluxnode start transaction\n"
    "2. privatekey  (string, optional) The privatekey that will sign the transaction if not owned by the local wallet\n"
    "\nResult:\n"
    '"SignedTx"     (string) The raw hex of the signed transaction\n'
    "\nExamples:\n"
    + cli("signp2shstarttx", '"rawtransactionhex" "privatekey"')
    + rpc("signp2shstarttx", '"rawtransactionhex" "privatekey"')
)

SENDP2SHSTARTTX_HELP = (
    "sendp2shstarttx \n"
    "\nBroadcast a Multisig Fluxnode Start Transaction\n"
    "\nArguments:\n"
    "1. rawtx         (string, required) The raw hex for the multisig Fluxnode start transaction\n"
    "\nResult:\n"
    '"txhash"     (string) The hash of the transaction that is broadcast to the network\n'
    "\nExamples:\n"
    + cli("sendp2shstarttx", '"rawtransactionhex"')
    + rpc("sendp2shstarttx", '"rawtransactionhex"')
)

STARTP2SHASDELEGATE_HELP = (
    'startp2shasdelegate "txhash" "outputindex" "delegatekey" ("vpspubkey") ("redeemscript")\n'
    "\nStart a P2SH (multisig) Fluxnode as an authorized delegate.\n"
    "\nArguments:\n"
    "1. txhash          (string, required) The transaction ID of the collateral.\n"
    "2. outputindex     (string, required) The output index of the collateral.\n"
    "3. delegatekey     (string, required) The private key of an authorized delegate.\n"
    "4. vpspubkey       (string, optional) The public key for VPS verification. If not provided or empty, will be "
    "looked up from previous start transaction.\n"
    "5. redeemscript    (string, optional) The hex-encoded redeem script of the P2SH address. If not provided or "
    "empty, will be looked up from previous start transaction.\n"
    "\nResult:\n"
    "{\n"
    '  "result": "xxxx",     (string) \'success\' or \'failed\'\n'
    '  "txid": "xxxx",       (string) The transaction ID if successful\n'
    '  "delegate": "xxxx",   (string) The delegate address used\n'
    '  "error": "xxxx"       (string) Error message, if failed\n'
    "}\n"
    "\nNote: The delegate must first be authorized using 'updatefluxnodedelegates'.\n"
    "\nExamples:\n"
    + cli("startp2shasdelegate", f'"{EXAMPLE_COLLATERAL}" "0" "{EXAMPLE_DELEGATE_WIF}"')
    + rpc("startp2shasdelegate", f'"{EXAMPLE_COLLATERAL}", "0", "{EXAMPLE_DELEGATE_WIF}"')
)
