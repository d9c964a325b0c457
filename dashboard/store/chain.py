"""The audit trail's hash chain: each entry carries the SHA-256 of the one before it.

An entry's `hash` is the SHA-256 (hex) of a canonical serialisation of every other column
of the entry — its id and its `prev_hash` included — as JSON with sorted keys, no spaces,
Chinese kept as is, the time as ISO 8601 (UTC, seconds).  The first entry's `prev_hash` is
GENESIS.  Changing, removing or inserting an entry anywhere but at the end breaks the chain
from there on; `first_break` names the first entry that does not fit.  (Removing the last
entries leaves a shorter valid chain: the count `audit verify` prints is the check for that.)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64
FIELDS = ("id", "at", "user_name", "role", "scope", "action", "object", "outcome", "details", "prev_hash",
          "client", "session")


def _value(value):
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="seconds")
    return value


def canonical(entry) -> bytes:
    """The bytes hashed for an entry (a row or a mapping with FIELDS)."""
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    return json.dumps({name: _value(get(name)) for name in FIELDS}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def entry_hash(entry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass(frozen=True)
class Break:
    id: int
    at: dt.datetime | None
    reason: str                    # Chinese


def first_break(entries: Iterable) -> tuple[int, Break | None]:
    """(entries checked, the first that breaks the chain or None), entries in id order."""
    previous, count = GENESIS, 0
    for row in entries:
        count += 1
        if row.prev_hash != previous:
            return count, Break(row.id, row.at, "与前一条记录的哈希不符（前一条被改动、删除，或本条被插入）")
        if row.hash != entry_hash(row):
            return count, Break(row.id, row.at, "本条内容与其哈希不符（本条被改动）")
        previous = row.hash
    return count, None
