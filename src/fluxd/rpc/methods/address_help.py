"""Help texts of the insight address and spent RPCs, as C++ rpc/misc.cpp writes them: (head, tail) around experimentalDisabledHelpMsg."""

from __future__ import annotations

GETADDRESSMEMPOOL_HEAD = """getaddressmempool {"addresses": ["taddr", ...]}

Returns all mempool deltas for an address.
"""
GETADDRESSMEMPOOL_TAIL = """
Arguments:
{
  "addresses":
    [
      "address"  (string) The base58check encoded address
      ,...
    ]
}
(or)
"address"  (string) The base58check encoded address

Result:
[
  {
    "address"  (string) The base58check encoded address
    "txid"  (string) The related txid
    "index"  (number) The related input or output index
    "satoshis"  (number) The difference of zatoshis
    "timestamp"  (number) The time the transaction entered the mempool (seconds)
    "prevtxid"  (string) The previous txid (if spending)
    "prevout"  (string) The previous transaction output index (if spending)
  }
]

Examples:
> flux-cli getaddressmempool '{"addresses": ["tmYXBYJj1K7vhejSec5osXK2QsGa5MTisUQ"]}'
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getaddressmempool", "params": [{"addresses": ["tmYXBYJj1K7vhejSec5osXK2QsGa5MTisUQ"]}] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""

GETADDRESSUTXOS_HEAD = """getaddressutxos {"addresses": ["taddr", ...], ("chainInfo": true|false)}

Returns all unspent outputs for an address.
"""
GETADDRESSUTXOS_TAIL = """
Arguments:
{
  "addresses":
    [
      "address"  (string) The base58check encoded address
      ,...
    ],
  "chainInfo"  (boolean, optional, default=false) Include chain info with results
}
(or)
"address"  (string) The base58check encoded address

Result
[
  {
    "address"  (string) The address base58check encoded
    "txid"  (string) The output txid
    "height"  (number) The block height
    "outputIndex"  (number) The output index
    "script"  (string) The script hex encoded
    "satoshis"  (number) The number of zatoshis of the output
  }, ...
]

(or, if chainInfo is true):

{
  "utxos":
    [
      {
        "address"     (string)  The address base58check encoded
        "txid"        (string)  The output txid
        "height"      (number)  The block height
        "outputIndex" (number)  The output index
        "script"      (string)  The script hex encoded
        "satoshis"    (number)  The number of zatoshis of the output
      }, ...
    ],
  "hash"              (string)  The block hash
  "height"            (numeric) The block height
}

Examples:
> flux-cli getaddressutxos '{"addresses": ["tmYXBYJj1K7vhejSec5osXK2QsGa5MTisUQ"], "chainInfo": true}'
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getaddressutxos", "params": [{"addresses": ["tmYXBYJj1K7vhejSec5osXK2QsGa5MTisUQ"], "chainInfo": true}] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""

GETADDRESSDELTAS_HEAD = """getaddressdeltas {"addresses": ["taddr", ...], ("start": n), ("end": n), ("chainInfo": true|false)}

Returns all changes for an address.

Returns information about all changes to the given transparent addresses within the given (inclusive)

block height range, default is the full blockchain.
"""
GETADDRESSDELTAS_TAIL = """
Arguments:
{
  "addresses":
    [
      "address" (string) The base58check encoded address
      ,...
    ]
  "start"       (number, optional) The start block height
  "end"         (number, optional) The end block height
  "chainInfo"   (boolean, optional, default=false) Include chain info in results, only applies if start and end specified
}
(or)
"address"       (string) The base58check encoded address

Result:
[
  {
    "satoshis"  (number) The difference of zatoshis
    "txid"      (string) The related txid
    "index"     (number) The related input or output index
    "height"    (number) The block height
    "address"   (string) The base58check encoded address
  }, ...
]

(or, if chainInfo is true):

{
  "deltas":
    [
      {
        "satoshis"    (number) The difference of zatoshis
        "txid"        (string) The related txid
        "index"       (number) The related input or output index
        "height"      (number) The block height
        "address"     (string)  The address base58check encoded
      }, ...
    ],
  "start":
    {
      "hash"          (string)  The start block hash
      "height"        (numeric) The height of the start block
    }
  "end":
    {
      "hash"          (string)  The end block hash
      "height"        (numeric) The height of the end block
    }
}

Examples:
> flux-cli getaddressdeltas '{"addresses": ["tmYXBYJj1K7vhejSec5osXK2QsGa5MTisUQ"], "start": 1000, "end": 2000, "chainInfo": true}'
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getaddressdeltas", "params": [{"addresses": ["tmYXBYJj1K7vhejSec5osXK2QsGa5MTisUQ"], "start": 1000, "end": 2000, "chainInfo": true}] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""

GETADDRESSBALANCE_HEAD = """getaddressbalance {"addresses": ["taddr", ...]}

Returns the balance for addresses.
"""
GETADDRESSBALANCE_TAIL = """
Arguments:
{
  "addresses:"
    [
      "address"  (string) The base58check encoded address
      ,...
    ]
}
(or)
"address"  (string) The base58check encoded address

Result:
{
  "balance"  (string) The current balance in zatoshis
  "received"  (string) The total number of zatoshis received (including change)
}

Examples:
> flux-cli getaddressbalance '{"addresses": ["tmYXBYJj1K7vhejSec5osXK2QsGa5MTisUQ"]}'
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getaddressbalance", "params": [{"addresses": ["tmYXBYJj1K7vhejSec5osXK2QsGa5MTisUQ"]}] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""

GETADDRESSTXIDS_HEAD = """getaddresstxids {"addresses": ["taddr", ...], ("start": n), ("end": n)}

Returns the txids for given transparent addresses within the given (inclusive)

block height range, default is the full blockchain.
"""
GETADDRESSTXIDS_TAIL = """
Arguments:
{
  "addresses":
    [
      "taddr"  (string) The base58check encoded address
      ,...
    ]
  "start" (number, optional) The start block height
  "end" (number, optional) The end block height
}
(or)
"address"  (string) The base58check encoded address

Result:
[
  "transactionid"  (string) The transaction id
  ,...
]

Examples:
> flux-cli getaddresstxids '{"addresses": ["tmYXBYJj1K7vhejSec5osXK2QsGa5MTisUQ"], "start": 1000, "end": 2000}'
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getaddresstxids", "params": [{"addresses": ["tmYXBYJj1K7vhejSec5osXK2QsGa5MTisUQ"], "start": 1000, "end": 2000}] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""

GETSPENTINFO_HEAD = """getspentinfo {"txid": "txidhex", "index": n}

Returns the txid and index where an output is spent.
"""
GETSPENTINFO_TAIL = """
Arguments:
{
  "txid"   (string) The hex string of the txid
  "index"  (number) The vout (output) index
}

Result:
{
  "txid"   (string) The transaction id
  "index"  (number) The spending (vin, input) index
  ,...
}

Examples:
> flux-cli getspentinfo '{"txid": "33990288fb116981260be1de10b8c764f997674545ab14f9240f00346333b780", "index": 4}'
> curl --user myusername --data-binary '{"jsonrpc": "1.0", "id":"curltest", "method": "getspentinfo", "params": [{"txid": "33990288fb116981260be1de10b8c764f997674545ab14f9240f00346333b780", "index": 4}] }' -H 'content-type: text/plain;' http://127.0.0.1:16124/
"""

HELP_PARTS = {
    "getaddressmempool": (GETADDRESSMEMPOOL_HEAD, GETADDRESSMEMPOOL_TAIL),
    "getaddressutxos": (GETADDRESSUTXOS_HEAD, GETADDRESSUTXOS_TAIL),
    "getaddressdeltas": (GETADDRESSDELTAS_HEAD, GETADDRESSDELTAS_TAIL),
    "getaddressbalance": (GETADDRESSBALANCE_HEAD, GETADDRESSBALANCE_TAIL),
    "getaddresstxids": (GETADDRESSTXIDS_HEAD, GETADDRESSTXIDS_TAIL),
    "getspentinfo": (GETSPENTINFO_HEAD, GETSPENTINFO_TAIL),
}

