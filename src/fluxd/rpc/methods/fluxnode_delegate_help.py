"""Help texts of the delegate fluxnode RPCs and createsporkkeys (C++ rpc/fluxnode.cpp)."""

from __future__ import annotations


def _examples(name: str, cli_args: str, rpc_args: str) -> str:
    """HelpExampleCli + HelpExampleRpc."""
    return (f"\nExamples:\n> flux-cli {name} {cli_args}\n"
            f"> curl --user myusername --data-binary '{{\"jsonrpc\": \"1.0\", \"id\":\"curltest\", \"method\": \"{name}\", "
            f"\"params\": [{rpc_args}] }}' -H 'content-type: text/plain;' http://127.0.0.1:16124/\n")  # fmt: skip


_TXID = "1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d"
_DELEGATE_PUBKEY = "02b3e8d5c47d2d968de255e9e81a6e1eaa5a186ae64de6ec5cc2aa24e50e7c2c1a"
_DELEGATE_WIF = "93HaYBVUCYjEMeeH1Y4sBGLALQZE1Yc1K64xiqgX37tGBDQL8Xg"

CREATEDELEGATEKEYPAIR_HELP = (
    "createdelegatekeypair\n"
    "\nCreate a new delegate keypair for fluxnode delegation\n"
    "\nResult:\n"
    "{\n"
    '  "private_key": "xxxx",           (string) Delegate private key\n'
    '  "public_key_compressed": "xxxx",  (string) Delegate compressed public key (hex)\n'
    '  "public_key_uncompressed": "xxxx" (string) Delegate uncompressed public key (hex)\n'
    "}\n" + _examples("createdelegatekeypair", "", "")
)

CREATESPORKKEYS_HELP = (
    "createsporkkeys\n"
    "\nCreate a set of private and public keys used for sporks\n"
    "\nResult:\n"
    '"pubkey"    (string) Spork public key\n'
    '"privkey"    (string) Spork private key\n' + _examples("createsporkkeys", "", "")
)

STARTFLUXNODEWITHDELEGATES_HELP = (
    'startfluxnodewithdelegates "alias" "[delegatepubkey1, delegatepubkey2, ...]" lockwallet\n'
    "\nStart a Fluxnode and assign delegate public keys who can also start the node.\n"
    "\nArguments:\n"
    "1. alias          (string, required) Alias of the fluxnode from fluxnode.conf.\n"
    "2. delegates      (array, required) Array of delegate public keys (compressed, up to 4).\n"
    "3. lockwallet     (boolean, required) Lock wallet after completion.\n"
    "\nResult:\n"
    "{\n"
    "  \"result\": \"xxxx\",     (string) 'success' or 'failed'\n"
    '  "txid": "xxxx",       (string) The transaction ID if successful\n'
    '  "delegates_count": n,  (numeric) Number of delegates assigned\n'
    '  "error": "xxxx"       (string) Error message, if failed\n'
    "}\n" + _examples("startfluxnodewithdelegates", f"\"mynode\" '[\"{_DELEGATE_PUBKEY}\"]' false",
                      f'"mynode", ["{_DELEGATE_PUBKEY}"], false')
)

STARTFLUXNODEASDELEGATE_HELP = (
    'startfluxnodeasdelegate "txhash" "outputindex" "delegatekey" ("vpspubkey") ("collateralpubkey")\n'
    "\nStart a Fluxnode as an authorized delegate instead of the collateral owner.\n"
    "\nArguments:\n"
    "1. txhash            (string, required) The transaction hash of the collateral.\n"
    "2. outputindex       (string, required) The output index of the collateral.\n"
    "3. delegatekey       (string, required) The private key of an authorized delegate.\n"
    "4. vpspubkey         (string, optional) The public key for VPS verification. If not provided or empty, will be"
    " looked up from previous start transaction.\n"
    "5. collateralpubkey  (string, optional) The public key of the collateral owner. If not provided or empty, will"
    " be looked up from previous start transaction.\n"
    "\nResult:\n"
    "{\n"
    "  \"result\": \"xxxx\",     (string) 'success' or 'failed'\n"
    '  "txid": "xxxx",       (string) The transaction ID if successful\n'
    '  "delegate": "xxxx",    (string) The delegate address used\n'
    '  "error": "xxxx"       (string) Error message, if failed\n'
    "}\n"
    "\nNote: The delegate must first be authorized by the collateral owner using 'startfluxnodewithdelegates'.\n"
    + _examples("startfluxnodeasdelegate", f'"{_TXID}" "0" "{_DELEGATE_WIF}"', f'"{_TXID}", "0", "{_DELEGATE_WIF}"')
)

LISTFLUXNODEDELEGATES_HELP = (
    'listfluxnodedelegates "txhash" "outputindex"\n'
    "\nList delegate keys authorized for a specific fluxnode collateral.\n"
    "\nArguments:\n"
    "1. txhash         (string, required) The transaction hash of the collateral.\n"
    "2. outputindex    (string, required) The output index of the collateral.\n"
    "\nResult:\n"
    "{\n"
    '  "collateral": "xxxx:n",           (string) Collateral outpoint\n'
    '  "has_delegates": true|false,        (boolean) Whether delegates are registered\n'
    '  "delegate_version": n,              (numeric) Delegate data version\n'
    '  "delegate_type": n,                 (numeric) Delegate type (1=UPDATE/ALL, 2=SIGNING)\n'
    '  "delegate_type_string": "xxxx",   (string) Delegate type as string\n'
    '  "delegate_keys": [                  (array) Array of authorized delegate public keys\n'
    '    "key",                            (string) Compressed public key (hex)\n'
    "    ...\n"
    "  ]\n"
    "}\n" + _examples("listfluxnodedelegates", f'"{_TXID}" "0"', f'"{_TXID}", "0"')
)
