"""JSON Schemas of every content type and registry, generated from the models.

Editors' editors (via the YAML language server) use them for completion and
checking as they type; the site publishes them under /schemas/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from .models import DOCUMENT_TYPES, REGISTRIES
from .models.docstrings import WithFieldDocstrings
from .parallel import Ahead

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def document_schemas() -> dict[str, dict[str, Any]]:
    """One schema per content type (front matter) and per registry file (a list of entries).

    Each call gets its own copy of schemas made once per process: making them takes pydantic longer than
    a rebuild in `serve` should.
    """
    result: dict[str, dict[str, Any]] = json.loads(_schemas_json())
    return result


_made: list[str] = []
"""The schemas' JSON text, once made in this process."""


def _schemas_json() -> str:
    if not _made:
        _made.append(_made_schemas_json())
    return _made[0]


@contextmanager
def made_ahead(jobs: int) -> Iterator[None]:
    """Another process makes the schemas during the block, if `jobs` allows one and they are not made yet
    (see parallel.Ahead): pydantic takes about 0.1 s, which a build would otherwise spend on one core."""
    if jobs < 2 or _made:
        yield
        return
    with Ahead(lambda _: _made_schemas_json(), [None]) as ahead:
        yield
    if ahead.done and not _made:
        _made.append(ahead.done[0])


def _made_schemas_json() -> str:
    schemas: dict[str, dict[str, Any]] = {}
    for name, document_model in DOCUMENT_TYPES.items():
        schema = document_model.model_json_schema(schema_generator=WithFieldDocstrings)
        schema["$schema"] = SCHEMA_DIALECT
        schema["title"] = f"{document_model.__name__} (front matter of a '{name}' document)"
        schemas[name] = schema
    for name, registry_model in REGISTRIES.items():
        schema = TypeAdapter(list[registry_model]).json_schema(schema_generator=WithFieldDocstrings)  # type: ignore[valid-type]
        schema["$schema"] = SCHEMA_DIALECT
        schema["title"] = f"data/{name}.yaml"
        schema["description"] = (registry_model.__doc__ or "").strip()
        schemas[f"data-{name}"] = schema
    return json.dumps(schemas)


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema as <name>.schema.json into `directory` (the repo's schemas/ folder)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in document_schemas().items():
        path = directory / f"{name}.schema.json"
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written
