"""The docstring written under each field of a model, for the JSON Schemas and the handbook.

Pydantic's `use_attribute_docstrings` finds them as each model class is defined, reading and parsing
the class's source every time: 0.03–0.05 s of every command, which needs them only when it makes
schemas. Here each module's source is parsed once, when a schema or the handbook first asks.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import sys
from functools import cache

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema


class WithFieldDocstrings(GenerateJsonSchema):
    """Pydantic's JSON Schema, each field described by its docstring (unless it has a description)."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        properties = json_schema.get("properties", {})
        for name, docstring in field_docstrings(schema["cls"]).items():
            if name in properties and "description" not in properties[name]:
                properties[name]["description"] = docstring
        return json_schema


def field_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """Each field's docstring, as `use_attribute_docstrings` would describe it: that of the class whose
    body declares the field (a field declared again without one has none)."""
    found: dict[str, str] = {}
    for name in model.model_fields:
        for cls in model.__mro__:
            if name in inspect.get_annotations(cls):
                docstring = own_field_docstrings(cls).get(name)
                if docstring is not None:
                    found[name] = docstring
                break
    return found


def own_field_docstrings(cls: type) -> dict[str, str]:
    """The docstrings under the fields declared in the body of `cls` itself (a module-level class)."""
    return _module_docstrings(cls.__module__).get(cls.__qualname__, {})


@cache
def _module_docstrings(module_name: str) -> dict[str, dict[str, str]]:
    """The field docstrings of each class at the top of a module, by class name."""
    module = sys.modules.get(module_name)
    try:
        source = inspect.getsource(module) if module is not None else ""
    except (OSError, TypeError):  # no source, as in a frozen program: the schemas go without
        return {}
    found: dict[str, dict[str, str]] = {}
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.ClassDef):
            found[statement.name] = {
                field.target.id: inspect.cleandoc(following.value.value)
                for field, following in itertools.pairwise(statement.body)
                if isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            }
    return found
