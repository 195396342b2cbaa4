"""Indented JSON, as `json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)` writes it (or with
another indent), faster.

With an indent the standard library encodes in Python through nested generators; the open data of
10,000 documents is millions of values. This encoder writes the same text with one recursive function and
the standard library's C string escaper. A value it does not know (a number that is not finite, a
subclass of str or int, a key that is not a string) is handed to `json.dumps`, so the text is always the
same.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C escaper, when the C accelerator is built
from typing import Any

_INDENTS: dict[int, list[str]] = {}
"""By indent width, the line break and indent that start a line at each depth (as deep as met so far)."""
_INFINITY = float("inf")


class _Unknown(Exception):
    """A value this encoder leaves to the standard library."""


def json_text(value: Any, indent: int = 2) -> str:
    """`value` as JSON with `indent` spaces a level and sorted keys, non-ASCII characters as they are."""
    out: list[str] = []
    indents = _INDENTS.get(indent)
    if indents is None:
        indents = _INDENTS[indent] = ["\n", "\n" + " " * indent]
    try:
        _encode(value, 0, out, indents)
    except (_Unknown, RecursionError, TypeError, ValueError):
        return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=True)
    return "".join(out)


def _indent(indents: list[str], depth: int) -> str:
    while depth >= len(indents):
        indents.append(indents[-1] + indents[1][1:])  # one level more than the deepest so far
    return indents[depth]


def _encode(value: Any, depth: int, out: list[str], indents: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = _indent(indents, depth + 1)
        separator = "{" + inner
        after = "," + inner
        for key in sorted(value):
            if type(key) is not str:
                raise _Unknown(key)
            out.append(separator)
            out.append(encode_basestring(key))
            out.append(": ")
            _encode(value[key], depth + 1, out, indents)
            separator = after
        out.append(_indent(indents, depth) + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = _indent(indents, depth + 1)
        separator = "[" + inner
        after = "," + inner
        for item in value:
            out.append(separator)
            _encode(item, depth + 1, out, indents)
            separator = after
        out.append(_indent(indents, depth) + "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float and value == value and value not in (_INFINITY, -_INFINITY):
        out.append(float.__repr__(value))
    else:
        raise _Unknown(value)
