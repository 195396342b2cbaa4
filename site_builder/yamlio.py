"""YAML parsing that remembers where every value came from.

PyYAML's composer gives nodes with marks; we build plain Python values from
them ourselves so we can record the line and column of every key and list
item, refuse duplicate keys and aliases, and report bad scalars in place.
Booleans are only `true`/`false`: YAML 1.1 would turn the country code `NO`
and the Swedish word `on` into booleans (the "Norway problem").

Positions are only needed for a diagnostic, and most documents have none: a
document is first built without them, and they are worked out from its text
again the first time one is asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

Location = tuple[str | int, ...]

MAX_DEPTH = 64
"""Deeper YAML is refused: no content needs it, and it is how parsers are made to recurse without end."""

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"


class _StrictBoolLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The fast loader with YAML 1.2's two booleans instead of YAML 1.1's twenty-two."""

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
        """The tag of a node without an explicit one, as PyYAML's resolver gives it.

        The composer asks for every node of every document, and PyYAML's general resolver (paths,
        wildcards, list concatenation) costs a fifth of composing; this loader has no path resolvers.
        """
        if kind is yaml.ScalarNode:
            if implicit[0] and value is not None:
                for tag, pattern in _RESOLVERS.get(value[:1], _ANY_FIRST):
                    if pattern.match(value):
                        return tag
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


_StrictBoolLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_StrictBoolLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_ANY_FIRST: tuple[tuple[str, re.Pattern[str]], ...] = tuple(_StrictBoolLoader.yaml_implicit_resolvers.get(None, ()))
_RESOLVERS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: (*resolvers, *_ANY_FIRST)
    for first, resolvers in _StrictBoolLoader.yaml_implicit_resolvers.items()
    if first is not None
}
"""The implicit resolvers by the first character of a plain scalar ('' for the empty one), then those for any."""
_SEQ_TAG: str = _StrictBoolLoader.DEFAULT_SEQUENCE_TAG
_MAP_TAG: str = _StrictBoolLoader.DEFAULT_MAPPING_TAG

_SCALARS: dict[str, Callable[[Any, yaml.Node], Any]] = {
    tag: constructor
    for tag, constructor in _StrictBoolLoader.yaml_constructors.items()
    if tag in ("tag:yaml.org,2002:null", _BOOL_TAG, _INT_TAG, "tag:yaml.org,2002:float", _TIMESTAMP_TAG)
}
"""The constructors of the scalars that plain text resolves to besides strings; called directly, they skip
`construct_object`'s bookkeeping, which costs more than they do."""


class YamlSyntaxError(Exception):
    """The text is not YAML; `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class ValueProblem:
    """A value that parsed as YAML but cannot be used (duplicate key, bad date, alias)."""

    location: Location
    line: int
    column: int
    message: str
    hint: str = ""


class YamlDocument:
    """Plain Python data plus the source position of every key and list item."""

    __slots__ = ("_end", "_line_offset", "_positions", "_start", "_text", "data", "problems")

    def __init__(self, data: Any, text: str = "", line_offset: int = 0, start: int = 0, end: int | None = None) -> None:
        self.data = data
        self.problems: list[ValueProblem] = []
        # The whole text the YAML is part of and its bounds, rather than a copy of the YAML: a front
        # matter's file text is kept anyway.
        self._text = text
        self._start = start
        self._end = end
        self._line_offset = line_offset
        self._positions: dict[Location, tuple[int, int]] | None = None

    @property
    def positions(self) -> dict[Location, tuple[int, int]]:
        """The line and column of every key and list item (and of the whole document at `()`)."""
        if self._positions is None:
            node, loader = _compose(self._text[self._start : self._end], self._line_offset)
            self._positions = {}
            if node is not None:
                _Builder(loader, YamlDocument(None), self._positions, self._line_offset).run(node)
        return self._positions

    def without_data(self) -> YamlDocument:
        """The same document for its positions only: what keeps a model's origin need not keep the data
        as well, which the model holds again."""
        document = YamlDocument(None, self._text, self._line_offset, self._start, self._end)
        document._positions = self._positions
        return document

    def position(self, location: Location) -> tuple[int, int]:
        """The closest recorded position for `location`, walking up to its parents."""
        positions = self.positions
        loc = tuple(location)
        while loc not in positions and loc:
            loc = loc[:-1]
        return positions.get(loc, (1, 1))


def parse_yaml(text: str, line_offset: int = 0, start: int = 0, end: int | None = None) -> YamlDocument:
    """Parse one YAML document (`text[start:end]`); positions are shifted by `line_offset` lines.

    Raises YamlSyntaxError for text that is not YAML.
    """
    node, loader = _compose(text[start:end] if start or end is not None else text, line_offset)
    document = YamlDocument(None, text, line_offset, start, end)
    if node is None:
        return document
    try:
        document.data = _Values(loader).value(node, 0)
    except _Unusual:
        # Something to report: the careful builder finds it, with its place, and every position. It gets a
        # loader of its own, as the quick builder may have left a scalar half-constructed in this one.
        document._positions = {}
        document.data = _Builder(_StrictBoolLoader(""), document, document._positions, line_offset).run(node)
    return document


def _compose(text: str, line_offset: int) -> tuple[yaml.Node | None, yaml.SafeLoader]:
    """The text's node tree, and the loader that made it (which still constructs scalars)."""
    loader = _StrictBoolLoader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        column = mark.column + 1 if mark else 1
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlSyntaxError(message or "invalid YAML", line, column) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), 1 + line_offset, 1) from exc
    finally:
        loader.dispose()
    return node, loader


class _Unusual(Exception):
    """The quick builder met something the careful one reports (or might)."""


class _Values:
    """Plain values from nodes, quickly: no positions, and anything to report is left to `_Builder`."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.constructor = loader
        self.seen: set[int] = set()

    def value(self, node: yaml.Node, depth: int) -> Any:
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self._scalar(node)
        # At MAX_DEPTH a collection's items would be too deep; the composer hands out the anchored node
        # again for every alias.
        if depth >= MAX_DEPTH or id(node) in self.seen:
            raise _Unusual
        self.seen.add(id(node))
        depth += 1
        if kind is yaml.MappingNode:
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode or key_node.tag == _MERGE_TAG or key_node.value in result:
                    raise _Unusual
                if type(value_node) is yaml.ScalarNode and value_node.tag == _STR_TAG:
                    result[key_node.value] = value_node.value
                else:
                    result[key_node.value] = self.value(value_node, depth)
            return result
        if kind is yaml.SequenceNode:
            return [
                item.value if type(item) is yaml.ScalarNode and item.tag == _STR_TAG else self.value(item, depth)
                for item in node.value
            ]
        raise _Unusual

    def _scalar(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STR_TAG:
            return node.value
        try:
            if tag == _INT_TAG and node.value.isdecimal() and node.value[0] != "0":
                return int(node.value)  # what construct_yaml_int makes of a plain decimal number (a year)
            constructor = _SCALARS.get(tag)
            if constructor is not None:
                return constructor(self.constructor, node)
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.constructor.ConstructorError) as exc:
            raise _Unusual from exc


class _Builder:
    def __init__(
        self,
        loader: yaml.SafeLoader,
        document: YamlDocument,
        positions: dict[Location, tuple[int, int]],
        line_offset: int,
    ) -> None:
        self.constructor = loader
        self.document = document
        self.positions = positions
        self.line_offset = line_offset
        self.seen: set[int] = set()

    def run(self, node: yaml.Node) -> Any:
        self.positions[()] = self._where(node)
        return self.build(node, ())

    def _where(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1

    def _problem(self, location: Location, node: yaml.Node, message: str, hint: str = "") -> None:
        line, column = self._where(node)
        self.document.problems.append(ValueProblem(location, line, column, message, hint))

    def build(self, node: yaml.Node, location: Location) -> Any:
        if len(location) > MAX_DEPTH:
            self._problem(
                location, node, f"the YAML is nested more than {MAX_DEPTH} levels deep", "flatten the structure"
            )
            return None
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            # The composer hands out the anchored node again for every alias.
            if id(node) in self.seen:
                self._problem(location, node, "YAML aliases are not allowed", "write the value out in full")
                return None
            self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, location)
        if isinstance(node, yaml.SequenceNode):
            result = []
            for index, item in enumerate(node.value):
                self.positions[(*location, index)] = self._where(item)
                result.append(self.build(item, (*location, index)))
            return result
        return self._scalar(node, location)

    def _mapping(self, node: yaml.MappingNode, location: Location) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(location, key_node, "a key must be a plain word, not a list or mapping")
                continue
            if key_node.tag == _MERGE_TAG:
                self._problem(location, key_node, "YAML merge keys (<<) are not allowed", "write the keys out in full")
                continue
            key = str(key_node.value)
            child = (*location, key)
            if key in result:
                first_line = self.positions[child][0]
                self._problem(child, key_node, f"duplicate key '{key}'", f"first given on line {first_line}")
                continue
            self.positions[child] = self._where(key_node)
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: yaml.Node, location: Location) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.constructor.ConstructorError):
            if node.tag == _TIMESTAMP_TAG:
                self._problem(location, node, f"invalid date '{node.value}'", "write a real date as YYYY-MM-DD")
            else:
                self._problem(location, node, f"cannot read the value '{node.value}'")
            return None
        return value
