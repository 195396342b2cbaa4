"""A model's JSON-mode dump, through pydantic's JSON encoder where that gives the same values faster.

`model_dump(mode="json")` builds Python objects in pydantic-core slowly (about 0.1 ms per document);
encoding to JSON text there and parsing it back with the C parser takes half the time. The two differ
only for floats that are not finite, which JSON text turns into null: models that hold a float (or a
value pydantic cannot type) are dumped the usual way.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

_UNTYPED = frozenset({"float", "decimal", "any", "function-plain", "function-wrap"})
_through_text: dict[type[BaseModel], bool] = {}


def json_value(model: BaseModel) -> Any:
    """`model.model_dump(mode="json")`."""
    kind = type(model)
    fast = _through_text.get(kind)
    if fast is None:
        fast = _through_text[kind] = not _holds_untyped(kind.__pydantic_core_schema__)
    if fast:
        return json.loads(model.model_dump_json())
    return model.model_dump(mode="json")


def _holds_untyped(schema: Any) -> bool:
    """Whether a core schema has a float anywhere, or a part whose serialised type it cannot tell."""
    if isinstance(schema, dict):
        kind = schema.get("type")
        if isinstance(kind, str) and kind in _UNTYPED:
            return True
        # Metadata holds JSON Schema hints, not how values are serialised.
        return any(_holds_untyped(value) for key, value in schema.items() if key != "metadata")
    if isinstance(schema, list | tuple):
        return any(_holds_untyped(value) for value in schema)
    return False
