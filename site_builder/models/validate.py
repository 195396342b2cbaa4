"""Turn pydantic's validation errors into diagnostics an editor can act on."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ..diagnostics import Diagnostics
from ..yamlio import Location, YamlDocument


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    """A hint naming the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes and containers an annotation may hold, outermost first."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [a for arg in typing.get_args(annotation) for a in _unwrap(arg)]
    return [annotation]


def _step(annotation: Any, key: str | int) -> Any:
    """The annotation one level below `annotation` along `key`, or None."""
    for candidate in _unwrap(annotation):
        origin = typing.get_origin(candidate)
        if isinstance(key, int) and origin in (list, tuple):
            return typing.get_args(candidate)[0]
        if isinstance(key, str) and origin is dict:
            return typing.get_args(candidate)[1]
        if isinstance(key, str) and isinstance(candidate, type) and issubclass(candidate, BaseModel):
            field = candidate.model_fields.get(key)
            if field is not None:
                return field.annotation
    return None


def model_at(root: type[BaseModel], location: Location) -> type[BaseModel] | None:
    """The model class that holds the last key of `location`."""
    annotation: Any = root
    for key in location[:-1]:
        annotation = _step(annotation, key)
        if annotation is None:
            return None
    for candidate in _unwrap(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _describe(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "…'"


def _field_path(location: Location) -> str:
    parts: list[str] = []
    for key in location:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        else:
            parts.append(("." if parts else "") + key)
    return "".join(parts)


def report_validation_error(
    error: ValidationError,
    model: type[BaseModel],
    document: YamlDocument,
    path: str,
    diagnostics: Diagnostics,
    prefix: Location = (),
) -> None:
    """Add one diagnostic per pydantic error, placed at the key's line in the file.

    `prefix` is where the validated data sits in the YAML document (a registry entry's index).
    """
    for item in error.errors(include_url=False):
        location: Location = tuple(item["loc"])
        kind = item["type"]
        where = _field_path(location)
        line, column = document.position((*prefix, *location))
        message = f"{where}: {item['msg']}" if where else item["msg"]
        hint = ""
        if kind == "missing":
            message = f"missing required field '{location[-1]}'"
            parent = _field_path(location[:-1])
            if parent:
                message += f" in {parent}"
        elif kind == "extra_forbidden":
            key = str(location[-1])
            owner = model_at(model, location)
            message = f"unknown key '{key}'" + (f" in {_field_path(location[:-1])}" if len(location) > 1 else "")
            if owner is not None:
                hint = did_you_mean(key, owner.model_fields) or "allowed keys: " + ", ".join(owner.model_fields)
        elif kind.startswith("date") or kind.startswith("datetime"):
            message = f"{where}: invalid date {_describe(item['input'])}"
            hint = "write the date as YYYY-MM-DD"
        elif kind in ("int_parsing", "float_parsing", "int_from_float"):
            message = f"{where}: expected a number, got {_describe(item['input'])}"
            if isinstance(item["input"], str) and "," in item["input"]:
                hint = "write decimals with a point, e.g. 11.7"
        elif kind == "string_type":
            message = f"{where}: expected text, got {_describe(item['input'])}"
            hint = "put the value in quotes"
        elif kind == "list_type":
            message = f"{where}: expected a list, got {_describe(item['input'])}"
            hint = "write each item on its own line starting with '- '"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = f"{where}: expected a mapping of keys and values, got {_describe(item['input'])}"
        elif kind == "literal_error":
            message = f"{where}: {_describe(item['input'])} is not allowed; {item['msg'][0].lower()}{item['msg'][1:]}"
            expected = item.get("ctx", {}).get("expected", "")
            if isinstance(item["input"], str):
                choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",") if c.strip(" '")]
                hint = did_you_mean(item["input"], choices)
        elif kind == "string_pattern_mismatch" and location and location[-1] in ("id",):
            hint = "use lower-case letters a–z, digits and hyphens"
        elif kind == "value_error":
            message = (
                f"{where}: {item['msg'].removeprefix('Value error, ')}"
                if where
                else item["msg"].removeprefix("Value error, ")
            )
        diagnostics.error(path, line, column, message, hint)
