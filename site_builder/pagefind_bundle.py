"""Make Pagefind's bundle byte-identical between builds.

Pagefind (1.x) writes each filter's values, the list of filters in each
language's metadata file, and the languages in pagefind-entry.json in hash-map
order, which changes from run to run; everything else it writes is stable.
This module puts those lists in sorted order and renames the rewritten files
by their content, as Pagefind does. The files are gzip-compressed CBOR
("pagefind_dcd" + CBOR); only the few CBOR types Pagefind uses are handled.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from typing import Any

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
_FILTER = re.compile(r"^filter/(?P<hash>[^/]+)\.pf_filter$")
_META = re.compile(r"^pagefind\.(?P<hash>[^/]+)\.pf_meta$")


class UnknownFormat(ValueError):
    """The bundle is not laid out as this module expects (another Pagefind version)."""


def _decode(data: bytes, at: int = 0) -> tuple[Any, int]:
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        value = info
    elif info <= 27:
        size = 1 << (info - 24)
        value = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise UnknownFormat(f"CBOR item of kind {major}/{info}")
    if major == 0:
        return value, at
    if major == 2:
        return data[at : at + value], at + value
    if major == 3:
        return data[at : at + value].decode("utf-8"), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise UnknownFormat(f"CBOR major type {major}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise UnknownFormat(f"number too large: {value}")


def _encode(value: Any) -> bytes:
    if isinstance(value, bool):
        raise UnknownFormat("CBOR boolean")
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    raise UnknownFormat(f"cannot encode {type(value).__name__}")


def _read(content: bytes) -> Any:
    data = gzip.decompress(content)
    if not data.startswith(SIGNATURE):
        raise UnknownFormat("no pagefind_dcd signature")
    value, end = _decode(data, len(SIGNATURE))
    if end != len(data):
        raise UnknownFormat("trailing bytes")
    return value


def _write(value: Any) -> bytes:
    return gzip.compress(SIGNATURE + _encode(value), compresslevel=9, mtime=0)


def _renamed(old: str, content: bytes) -> str:
    """A content hash in the shape of Pagefind's own names: language prefix, same number of hex digits."""
    prefix, _, digits = old.rpartition("_")
    return f"{prefix}_{hashlib.sha256(content).hexdigest()[: len(digits)]}"


def stable_bundle(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle (paths relative to the pagefind folder) with every hash-map-ordered list sorted.

    Raises UnknownFormat if the files are not as Pagefind 1.x writes them.
    """
    result = dict(bundle)
    renamed: dict[str, str] = {}
    for path, content in bundle.items():
        match = _FILTER.match(path)
        if match is None:
            continue
        value = _read(content)
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)):
            raise UnknownFormat(f"unexpected filter file {path}")
        value[1] = sorted(([text, sorted(pages)] for text, pages in value[1]), key=lambda v: str(v[0]))
        written = _write(value)
        new = _renamed(match["hash"], written)
        del result[path]
        result[f"filter/{new}.pf_filter"] = written
        renamed[match["hash"]] = new
    for path, content in bundle.items():
        match = _META.match(path)
        if match is None:
            continue
        value = _read(content)
        filters = value[3] if isinstance(value, list) and len(value) > 3 else None
        if not isinstance(filters, list) or not all(isinstance(f, list) and len(f) == 2 for f in filters):
            raise UnknownFormat(f"unexpected metadata file {path}")
        value[3] = sorted([name, renamed.get(digest, digest)] for name, digest in filters)
        written = _write(value)
        new = _renamed(match["hash"], written)
        del result[path]
        result[f"pagefind.{new}.pf_meta"] = written
        renamed[match["hash"]] = new
    entry = json.loads(bundle[ENTRY])
    languages = entry.get("languages")
    if not isinstance(languages, dict):
        raise UnknownFormat("pagefind-entry.json has no languages")
    for language in languages.values():
        language["hash"] = renamed.get(language["hash"], language["hash"])
    entry["languages"] = dict(sorted(languages.items()))
    result[ENTRY] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return dict(sorted(result.items()))
