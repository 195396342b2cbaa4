"""YAML parsing that remembers where every value came from.

PyYAML's composer gives nodes with marks; we build plain Python values from
them ourselves so we can record the line and column of every key and list
item, refuse duplicate keys and aliases, and report bad scalars in place.
Booleans are only `true`/`false`: YAML 1.1 would turn the country code `NO`
and the Swedish word `on` into booleans (the "Norway problem").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Location = tuple[str | int, ...]

MAX_DEPTH = 64
"""Deeper YAML is refused: no content needs it, and it is how parsers are made to recurse without end."""

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _StrictBoolLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The fast loader with YAML 1.2's two booleans instead of YAML 1.1's twenty-two."""


_StrictBoolLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_StrictBoolLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


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


@dataclass
class YamlDocument:
    """Plain Python data plus the source position of every key and list item."""

    data: Any
    positions: dict[Location, tuple[int, int]] = field(default_factory=dict)
    problems: list[ValueProblem] = field(default_factory=list)

    def position(self, location: Location) -> tuple[int, int]:
        """The closest recorded position for `location`, walking up to its parents."""
        loc = tuple(location)
        while loc not in self.positions and loc:
            loc = loc[:-1]
        return self.positions.get(loc, (1, 1))


def parse_yaml(text: str, line_offset: int = 0) -> YamlDocument:
    """Parse one YAML document; positions are shifted by `line_offset` lines.

    Raises YamlSyntaxError for text that is not YAML.
    """
    loader = _StrictBoolLoader(text)
    try:
        node = loader.get_single_node()
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
    document = YamlDocument(data=None)
    if node is None:
        return document
    builder = _Builder(loader, document, line_offset)
    document.positions[()] = builder._where(node)
    document.data = builder.build(node, ())
    return document


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, document: YamlDocument, line_offset: int) -> None:
        self.constructor = loader
        self.document = document
        self.line_offset = line_offset
        self.seen: set[int] = set()

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
                self.document.positions[(*location, index)] = self._where(item)
                result.append(self.build(item, (*location, index)))
            return result
        return self._scalar(node, location)

    def _mapping(self, node: yaml.MappingNode, location: Location) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(location, key_node, "a key must be a plain word, not a list or mapping")
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(location, key_node, "YAML merge keys (<<) are not allowed", "write the keys out in full")
                continue
            key = str(key_node.value)
            child = (*location, key)
            if key in result:
                first_line = self.document.positions[child][0]
                self._problem(child, key_node, f"duplicate key '{key}'", f"first given on line {first_line}")
                continue
            self.document.positions[child] = self._where(key_node)
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
