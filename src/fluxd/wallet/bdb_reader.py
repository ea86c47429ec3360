"""A read-only reader of the Berkeley DB btree files the C++ node keeps its wallet in.

The C++ node (BDB 6.2; files of 4.8 to 6.2 share this layout) opens the
logical database ``main`` inside ``wallet.dat``.  Such a file is a btree
"master" database on page 0 whose records name the sub-databases: the key is
the name, the data the sub-database's metadata page number, big-endian.  That
metadata page gives the root of the sub-database's own btree.

Page layout read here (all integers in the file's byte order, told by how the
magic number 0x00053162 reads at byte 12 of page 0):

* metadata page: magic, version, page size, encryption algorithm, page type 9,
  meta flags (bit 0: page checksums), last page number, btree flags
  (0x20: sub-databases), root page number at byte 88;
* other pages: a 26-byte header (LSN, page number, previous / next page, entry
  count, high-free offset or overflow length, tree level, page type), then
  (after 6 more bytes when pages carry checksums) an array of 2-byte offsets
  to the items;
* leaf items alternate key and data; each is either inline (length, type 1,
  bytes) or overflow (type 3, first page, total length) whose bytes follow a
  chain of overflow pages; internal items hold a child page number.

The file is opened once with mode "rb" and read into memory; nothing is ever
written.  Anything this reader does not understand or that is inconsistent
raises :class:`WalletFileError` naming the page and the problem.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from fluxd.wallet.wallet_file import WalletFileError

BTREE_MAGIC = 0x00053162
OTHER_ACCESS_METHODS = {0x00061561: "hash", 0x00042253: "queue", 0x00074582: "heap"}
SUPPORTED_VERSIONS = (9, 10)  # btree format of BDB 4.5 .. 6.2
MIN_PAGE_SIZE, MAX_PAGE_SIZE = 512, 65536
PAGE_HEADER_SIZE = 26
CHECKSUM_HEADER_EXTRA = 6  # PG_CHKSUM: 2 bytes of alignment + a 4-byte checksum
DBMETA_CHKSUM = 0x01
BTM_DUP, BTM_RECNO, BTM_SUBDB, BTM_COMPRESS = 0x01, 0x02, 0x20, 0x80
RESET_LSNS = ((0, 1), (0, 0))  # lsn_reset writes file 0 / offset 1; 0/0 is a page never logged (log files start at 1)

P_IBTREE, P_LBTREE, P_OVERFLOW, P_BTREEMETA = 3, 5, 7, 9
PAGE_TYPE_NAMES = {
    0: "invalid/free", 1: "old duplicate", 2: "old hash", 3: "btree internal", 4: "recno internal",
    5: "btree leaf", 6: "recno leaf", 7: "overflow", 8: "hash metadata", 9: "btree metadata",
    10: "queue metadata", 11: "queue data", 12: "off-page duplicate leaf", 13: "hash",
    14: "heap metadata", 15: "heap data", 16: "heap internal",
}
B_KEYDATA, B_DUPLICATE, B_OVERFLOW, B_BLOB = 1, 2, 3, 5
B_DELETE = 0x80
ITEM_HEADER_SIZE = 3  # length (2 bytes) + type
OVERFLOW_ITEM_SIZE = 12  # length, type, pad, first page, total length
INTERNAL_ITEM_FIXED = 12  # length, type, pad, child page, record count

_META_LAYOUT = "IIIIIIBBBBIIIIII20sIIIII"  # DBMETA (72 bytes) + the btree fields up to the root


@dataclass(frozen=True, slots=True)
class BtreeMeta:
    """The fields of a btree metadata page this reader uses."""

    pgno: int
    version: int
    page_size: int
    encrypt_alg: int
    page_type: int
    metaflags: int
    last_pgno: int
    flags: int
    root: int


@dataclass(frozen=True, slots=True)
class PageHeader:
    pgno: int
    prev_pgno: int
    next_pgno: int
    entries: int
    hf_offset: int  # on an overflow page: the number of data bytes on it
    level: int
    page_type: int


def _page_type_name(page_type: int) -> str:
    return f"{page_type} ({PAGE_TYPE_NAMES.get(page_type, 'unknown')})"


def _byte_order(data: bytes, path: str) -> str:
    """'<' or '>' from the magic number at byte 12; any other file is refused."""
    if len(data) < MIN_PAGE_SIZE:
        raise WalletFileError(f"{path} is not a Berkeley DB file: only {len(data)} bytes")
    for order in ("<", ">"):
        magic = struct.unpack_from(order + "I", data, 12)[0]
        if magic == BTREE_MAGIC:
            return order
        if magic in OTHER_ACCESS_METHODS:
            raise WalletFileError(
                f"{path} is a Berkeley DB {OTHER_ACCESS_METHODS[magic]} database, not a btree: not a wallet file")
    raise WalletFileError(f"{path} is not a Berkeley DB file (no btree magic number at byte 12)")


class BdbFile:
    """The pages of one Berkeley DB btree file, held in memory and checked as they are read."""

    def __init__(self, data: bytes, path: str) -> None:
        self.data = data
        self.path = path
        self.order = _byte_order(data, path)
        self.meta = self._read_meta_fields(0)
        self._check_outer_meta()
        self.page_size = self.meta.page_size
        self.item_offset = PAGE_HEADER_SIZE + (CHECKSUM_HEADER_EXTRA if self.meta.metaflags & DBMETA_CHKSUM else 0)
        self.page_count = len(data) // self.page_size
        self._check_length()
        self._check_lsns_reset()

    # ----- metadata ---------------------------------------------------------------------------

    def _read_meta_fields(self, pgno: int) -> BtreeMeta:
        offset = pgno * self.page_size if pgno else 0
        fields = struct.unpack_from(self.order + _META_LAYOUT, self.data, offset)
        (_, _, page_no, magic, version, page_size, encrypt_alg, page_type, metaflags, _, _, last_pgno, _, _, _,
         flags, _, _, _, _, _, root) = fields
        if page_no != pgno:
            raise WalletFileError(f"{self.path}: metadata page {pgno} says it is page {page_no} (corrupt file)")
        if magic in OTHER_ACCESS_METHODS:
            raise WalletFileError(f"{self.path}: page {pgno} starts a Berkeley DB {OTHER_ACCESS_METHODS[magic]} "
                                  "database, not a btree: not a wallet file")
        if magic != BTREE_MAGIC:
            raise WalletFileError(f"{self.path}: page {pgno} is not a btree metadata page (magic {magic:#010x})")
        return BtreeMeta(pgno, version, page_size, encrypt_alg, page_type, metaflags, last_pgno, flags, root)

    def _check_outer_meta(self) -> None:
        meta = self.meta
        if meta.version not in SUPPORTED_VERSIONS:
            raise WalletFileError(
                f"{self.path}: Berkeley DB btree version {meta.version} is not supported (known: 9, 10)")
        size = meta.page_size
        if not MIN_PAGE_SIZE <= size <= MAX_PAGE_SIZE or size & (size - 1):
            raise WalletFileError(f"{self.path}: impossible Berkeley DB page size {size}")
        if meta.encrypt_alg:
            raise WalletFileError(
                f"{self.path} is encrypted with Berkeley DB's own page encryption (algorithm {meta.encrypt_alg}); "
                "the C++ wallet never does that and this reader cannot open it")
        if meta.page_type != P_BTREEMETA:
            raise WalletFileError(f"{self.path}: page 0 has type {_page_type_name(meta.page_type)}, not btree metadata")

    def _check_length(self) -> None:
        needed = self.meta.last_pgno + 1
        if self.page_count < needed:
            raise WalletFileError(
                f"{self.path} is truncated: its metadata says {needed} pages of {self.page_size} bytes "
                f"({needed * self.page_size} bytes) but the file has {len(self.data)} bytes")

    def _check_lsns_reset(self) -> None:
        """A file the C++ node closed cleanly has every page's LSN reset (CDBEnv::Flush, lsn_reset)."""
        for pgno in range(self.meta.last_pgno + 1):
            lsn = struct.unpack_from(self.order + "II", self.data, pgno * self.page_size)
            if lsn not in RESET_LSNS:
                raise WalletFileError(
                    f"{self.path} was not closed cleanly by the C++ node (page {pgno} has log sequence number "
                    f"{lsn[0]}/{lsn[1]}, not reset): its latest changes may exist only in the database/ log "
                    "directory. Start the C++ node once and stop it cleanly, then import the file again")

    def sub_meta(self, pgno: int) -> BtreeMeta:
        """The metadata page of a sub-database, checked against the file's own."""
        self._check_pgno(pgno, "sub-database metadata")
        meta = self._read_meta_fields(pgno)
        if meta.page_type != P_BTREEMETA:
            raise WalletFileError(f"{self.path}: page {pgno} has type {_page_type_name(meta.page_type)}, "
                                  "not btree metadata")
        if meta.page_size != self.page_size or meta.encrypt_alg:
            raise WalletFileError(f"{self.path}: sub-database metadata page {pgno} disagrees with page 0")
        return meta

    # ----- pages ------------------------------------------------------------------------------

    def _check_pgno(self, pgno: int, what: str) -> None:
        if not 0 < pgno <= self.meta.last_pgno:
            raise WalletFileError(
                f"{self.path}: {what} page {pgno} is outside the file (pages 1..{self.meta.last_pgno})")

    def header(self, pgno: int, what: str) -> PageHeader:
        self._check_pgno(pgno, what)
        start = pgno * self.page_size
        _, _, page_no, prev_pgno, next_pgno, entries, hf_offset, level, page_type = struct.unpack_from(
            self.order + "IIIIIHHBB", self.data, start)
        if page_no != pgno:
            raise WalletFileError(f"{self.path}: page {pgno} says it is page {page_no} (corrupt file)")
        return PageHeader(pgno, prev_pgno, next_pgno, entries, hf_offset, level, page_type)

    def page(self, pgno: int) -> memoryview:
        start = pgno * self.page_size
        return memoryview(self.data)[start:start + self.page_size]

    def item_offsets(self, header: PageHeader) -> list[int]:
        """The item offsets of a leaf or internal page, each inside the page and past the offset array."""
        array_end = self.item_offset + 2 * header.entries
        if array_end > self.page_size:
            raise WalletFileError(f"{self.path}: page {header.pgno} claims {header.entries} items, "
                                  f"more than a {self.page_size}-byte page holds")
        offsets = list(struct.unpack_from(f"{self.order}{header.entries}H", self.page(header.pgno), self.item_offset))
        for offset in offsets:
            if not array_end <= offset <= self.page_size - ITEM_HEADER_SIZE:
                raise WalletFileError(f"{self.path}: page {header.pgno} has an item at offset {offset}, "
                                      "outside its item area")
        return offsets


def read_file_bytes(path: str | Path) -> bytes:
    """The whole file, opened read-only ("rb"); a missing or unreadable file is a WalletFileError."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise WalletFileError(f"cannot read {path}: {exc.strerror or exc}") from exc


# ----- items ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    offset: int
    item_type: int  # without the deleted flag
    deleted: bool


def _item_at(bdb: BdbFile, header: PageHeader, offset: int) -> _Item:
    raw_type = bdb.page(header.pgno)[offset + 2]
    return _Item(offset, raw_type & ~B_DELETE, bool(raw_type & B_DELETE))


def _overflow_bytes(bdb: BdbFile, first_pgno: int, total: int, owner: int) -> bytes:
    """The bytes of an overflow item: a chain of overflow pages, each holding hf_offset bytes."""
    if total > len(bdb.data):
        raise WalletFileError(f"{bdb.path}: an overflow item on page {owner} claims {total} bytes, "
                              "more than the whole file")
    parts: list[bytes] = []
    size, pgno, seen = 0, first_pgno, set()
    while pgno != 0:
        if pgno in seen:
            raise WalletFileError(
                f"{bdb.path}: the overflow chain of an item on page {owner} loops back to page {pgno}")
        seen.add(pgno)
        header = bdb.header(pgno, "overflow")
        if header.page_type != P_OVERFLOW:
            raise WalletFileError(f"{bdb.path}: page {pgno} in an overflow chain has type "
                                  f"{_page_type_name(header.page_type)}, not overflow")
        if bdb.item_offset + header.hf_offset > bdb.page_size:
            raise WalletFileError(f"{bdb.path}: overflow page {pgno} claims {header.hf_offset} bytes, "
                                  f"more than a {bdb.page_size}-byte page holds")
        parts.append(bytes(bdb.page(pgno)[bdb.item_offset:bdb.item_offset + header.hf_offset]))
        size += header.hf_offset
        if size > total:
            raise WalletFileError(f"{bdb.path}: the overflow chain of an item on page {owner} holds more than "
                                  f"its stated {total} bytes")
        pgno = header.next_pgno
    if size != total:
        raise WalletFileError(f"{bdb.path}: the overflow chain of an item on page {owner} ends after {size} "
                              f"of its {total} bytes")
    return b"".join(parts)


def _item_bytes(bdb: BdbFile, header: PageHeader, item: _Item) -> bytes:
    page = bdb.page(header.pgno)
    if item.item_type == B_KEYDATA:
        length = struct.unpack_from(bdb.order + "H", page, item.offset)[0]
        start = item.offset + ITEM_HEADER_SIZE
        if start + length > bdb.page_size:
            raise WalletFileError(f"{bdb.path}: an item on page {header.pgno} runs {start + length - bdb.page_size} "
                                  "bytes past the end of the page")
        return bytes(page[start:start + length])
    if item.item_type == B_OVERFLOW:
        if item.offset + OVERFLOW_ITEM_SIZE > bdb.page_size:
            raise WalletFileError(f"{bdb.path}: an overflow item on page {header.pgno} is cut by the page end")
        first_pgno, total = struct.unpack_from(bdb.order + "II", page, item.offset + 4)
        return _overflow_bytes(bdb, first_pgno, total, header.pgno)
    if item.item_type == B_DUPLICATE:
        raise WalletFileError(f"{bdb.path}: page {header.pgno} holds off-page duplicate records; "
                              "a C++ wallet has no duplicate keys and this reader does not read them")
    if item.item_type == B_BLOB:
        raise WalletFileError(f"{bdb.path}: page {header.pgno} refers to an external blob file, "
                              "which a C++ wallet never uses")
    raise WalletFileError(f"{bdb.path}: page {header.pgno} has an item of unknown type {item.item_type}")


def _leaf_records(bdb: BdbFile, header: PageHeader) -> list[tuple[bytes, bytes]]:
    """A leaf's (key, data) pairs; pairs marked deleted are left out, duplicate keys refused."""
    offsets = bdb.item_offsets(header)
    if len(offsets) % 2:
        raise WalletFileError(f"{bdb.path}: leaf page {header.pgno} has an odd number of items ({len(offsets)})")
    records: list[tuple[bytes, bytes]] = []
    for index in range(0, len(offsets), 2):
        if index and offsets[index] == offsets[index - 2]:
            raise WalletFileError(f"{bdb.path}: leaf page {header.pgno} holds duplicate records for one key; "
                                  "a C++ wallet has none and this reader does not read them")
        key_item, data_item = _item_at(bdb, header, offsets[index]), _item_at(bdb, header, offsets[index + 1])
        if key_item.deleted or data_item.deleted:
            continue
        records.append((_item_bytes(bdb, header, key_item), _item_bytes(bdb, header, data_item)))
    return records


def _internal_children(bdb: BdbFile, header: PageHeader) -> list[int]:
    page = bdb.page(header.pgno)
    children: list[int] = []
    for offset in bdb.item_offsets(header):
        if offset + INTERNAL_ITEM_FIXED > bdb.page_size:
            raise WalletFileError(f"{bdb.path}: an internal item on page {header.pgno} is cut by the page end")
        item = _item_at(bdb, header, offset)
        if item.item_type != B_KEYDATA:
            raise WalletFileError(f"{bdb.path}: internal page {header.pgno} has an item of type {item.item_type}")
        if not item.deleted:
            children.append(struct.unpack_from(bdb.order + "I", page, offset + 4)[0])
    return children


# ----- trees ----------------------------------------------------------------------------------


def _append_in_order(bdb: BdbFile, records: list[tuple[bytes, bytes]], leaf: list[tuple[bytes, bytes]],
                     pgno: int) -> None:
    """Keys must rise strictly (the default byte-wise comparison): this also catches duplicates across pages."""
    for record in leaf:
        if records and record[0] <= records[-1][0]:
            problem = "a duplicate of the key before it" if record[0] == records[-1][0] else "out of order"
            raise WalletFileError(f"{bdb.path}: a key on leaf page {pgno} is {problem}; "
                                  "a C++ wallet has unique keys in byte order")
        records.append(record)


def _walk_tree(bdb: BdbFile, root: int) -> list[tuple[bytes, bytes]]:
    """Every record of the btree under ``root``, in key order (depth first, children left to right)."""
    records: list[tuple[bytes, bytes]] = []
    seen: set[int] = set()
    root_level = bdb.header(root, "root").level
    stack = [(root, root_level)]
    while stack:
        pgno, level = stack.pop()
        if pgno in seen:
            raise WalletFileError(f"{bdb.path}: the btree reaches page {pgno} twice (a loop in the page links)")
        seen.add(pgno)
        header = bdb.header(pgno, "btree")
        if header.level != level:
            raise WalletFileError(f"{bdb.path}: btree page {pgno} is at level {header.level}, expected {level}")
        if header.page_type == P_LBTREE and level == 1:
            _append_in_order(bdb, records, _leaf_records(bdb, header), pgno)
        elif header.page_type == P_IBTREE and level > 1:
            stack.extend((child, level - 1) for child in reversed(_internal_children(bdb, header)))
        else:
            raise WalletFileError(f"{bdb.path}: btree page {pgno} has unsupported type "
                                  f"{_page_type_name(header.page_type)} at level {level}")
    return records


def _check_tree_flags(bdb: BdbFile, meta: BtreeMeta, what: str) -> None:
    if meta.flags & BTM_RECNO:
        raise WalletFileError(f"{bdb.path}: the {what} is a recno database, not a btree")
    if meta.flags & BTM_COMPRESS:
        raise WalletFileError(f"{bdb.path}: the {what} uses btree compression, which this reader does not read")


def subdatabases(bdb: BdbFile) -> dict[str, int]:
    """The master database: sub-database name -> its metadata page (stored big-endian)."""
    if not bdb.meta.flags & BTM_SUBDB:
        return {}
    _check_tree_flags(bdb, bdb.meta, "master database")
    names: dict[str, int] = {}
    for key, value in _walk_tree(bdb, bdb.meta.root):
        if len(value) != 4:
            raise WalletFileError(f"{bdb.path}: the master database entry {key!r} is {len(value)} bytes, "
                                  "not a 4-byte page number")
        names[key.decode("utf-8", "replace")] = int.from_bytes(value, "big")
    return names


def read_bdb_records(path: str | Path, database: str | None = "main") -> list[tuple[bytes, bytes]]:
    """All (key, data) records of ``database`` inside the BDB file at ``path``, in key order.

    ``database=None`` reads a file without sub-databases (its one unnamed
    btree).  The file is only ever opened for reading.
    """
    bdb = BdbFile(read_file_bytes(path), str(path))
    if database is None:
        if bdb.meta.flags & BTM_SUBDB:
            raise WalletFileError(f"{path} holds named sub-databases ({', '.join(sorted(subdatabases(bdb)))})")
        _check_tree_flags(bdb, bdb.meta, "database")
        return _walk_tree(bdb, bdb.meta.root)
    names = subdatabases(bdb)
    if database not in names:
        found = ", ".join(repr(name) for name in sorted(names)) or "none"
        raise WalletFileError(f"{path} has no database {database!r} (sub-databases found: {found}); "
                              "a C++ wallet keeps its records in 'main'")
    meta = bdb.sub_meta(names[database])
    _check_tree_flags(bdb, meta, f"database {database!r}")
    return _walk_tree(bdb, meta.root)
