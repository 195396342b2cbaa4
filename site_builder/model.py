"""Validate parsed files into typed models, keeping where each came from."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel, ValidationError

from .diagnostics import Diagnostics
from .load import RawDocument, RawRegistry, paused_cycle_collection
from .models import DOCUMENT_TYPES, REGISTRIES, DocumentBase
from .models.registry import Convention, Municipality, Organisation, Party, Sdg, Topic
from .models.validate import did_you_mean, report_validation_error
from .yamlio import Location, YamlDocument

T = TypeVar("T", bound=BaseModel)

_IDENTIFIER = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Origin:
    """Where a model came from, so later stages can point at the right line."""

    path: str
    document: YamlDocument
    prefix: Location = ()

    def position(self, *location: str | int) -> tuple[int, int]:
        return self.document.position((*self.prefix, *location))


@dataclass
class Entry(Generic[T]):
    """A registry entry with its origin."""

    value: T
    origin: Origin


@dataclass
class ContentDocument:
    """One validated document: its identifier (the file name), model, body and origin."""

    id: str
    model: DocumentBase
    body: str
    body_line: int
    origin: Origin
    source_path: str
    """The file's path relative to the project root, for "edit this page"."""
    source_text: str = ""
    """The file's whole text, for diagnostics found after rendering."""

    @property
    def type(self) -> str:
        return str(self.model.type)

    @cached_property
    def municipality(self) -> str | None:
        """The municipality the document is about; None for a type that names none (a page; an agreement
        names its parties). Asked on every page: getattr's AttributeError on a pydantic model is slow."""
        model: Any = self.model
        return str(model.municipality) if "municipality" in type(model).model_fields else None

    @cached_property
    def parties(self) -> list[str]:
        """An agreement's parties (municipalities); [] for other types."""
        model: Any = self.model
        return [str(party) for party in model.parties] if "parties" in type(model).model_fields else []


@dataclass
class Registries:
    """Every registry keyed by identifier (SDGs by goal number)."""

    municipalities: dict[str, Entry[Municipality]] = field(default_factory=dict)
    organisations: dict[str, Entry[Organisation]] = field(default_factory=dict)
    parties: dict[str, Entry[Party]] = field(default_factory=dict)
    sdgs: dict[int, Entry[Sdg]] = field(default_factory=dict)
    topics: dict[str, Entry[Topic]] = field(default_factory=dict)
    conventions: dict[str, Entry[Convention]] = field(default_factory=dict)


def validate_registries(raw: list[RawRegistry], diagnostics: Diagnostics) -> Registries:
    registries = Registries()
    for registry in raw:
        model = REGISTRIES[registry.name]
        table: dict[Any, Entry[Any]] = getattr(registries, registry.name)
        for index, item in enumerate(registry.document.data):
            origin = Origin(registry.source.shown, registry.document, (index,))
            try:
                value = model.model_validate(item)
            except ValidationError as exc:
                report_validation_error(exc, model, registry.document, registry.source.shown, diagnostics, (index,))
                continue
            key = value.goal if isinstance(value, Sdg) else cast(Any, value).id
            if key in table:
                line, column = origin.position("id" if registry.name != "sdgs" else "goal")
                first = table[key].origin.position()[0]
                diagnostics.error(
                    registry.source.shown,
                    line,
                    column,
                    f"duplicate identifier '{key}' in data/{registry.name}.yaml",
                    f"first used on line {first}",
                )
                continue
            table[key] = Entry(value, origin)
    return registries


def validate_document(raw: RawDocument, diagnostics: Diagnostics) -> ContentDocument | None:
    """Pick the model from the `type` field and validate the front matter against it."""
    shown = raw.source.shown
    data: dict[str, Any] = raw.front_matter.data
    if not _IDENTIFIER.match(raw.stem):
        diagnostics.error(
            shown,
            1,
            1,
            f"the file name '{raw.stem}' cannot be an identifier",
            "name the file with lower-case letters a–z, digits and hyphens, e.g. tromso-nordic-safe-cities.md",
        )
        return None
    kind = data.get("type")
    if kind is None:
        diagnostics.error(shown, 2, 1, "missing required field 'type'", "one of: " + ", ".join(DOCUMENT_TYPES))
        return None
    model = DOCUMENT_TYPES.get(str(kind))
    if model is None:
        line, column = raw.front_matter.position(("type",))
        hint = did_you_mean(str(kind), DOCUMENT_TYPES) or "one of: " + ", ".join(DOCUMENT_TYPES)
        diagnostics.error(shown, line, column, f"unknown document type '{kind}'", hint)
        return None
    try:
        value = model.model_validate(data)
    except ValidationError as exc:
        report_validation_error(exc, model, raw.front_matter, shown, diagnostics)
        return None
    return ContentDocument(
        id=raw.stem,
        model=value,
        body=raw.body,
        body_line=raw.body_line,
        origin=Origin(shown, raw.front_matter.without_data()),
        source_path=shown,
        source_text=raw.source.text,
    )


def validate_documents(
    raw: list[RawDocument],
    diagnostics: Diagnostics,
    validate: Callable[[RawDocument, Diagnostics], ContentDocument | None] = validate_document,
) -> list[ContentDocument]:
    """Validate every document (with `validate`) and refuse two documents with one identifier."""
    documents: dict[str, ContentDocument] = {}
    with paused_cycle_collection():
        for item in raw:
            document = validate(item, diagnostics)
            if document is None:
                continue
            if document.id in documents:
                diagnostics.error(
                    document.origin.path,
                    1,
                    1,
                    f"duplicate identifier '{document.id}'",
                    f"{documents[document.id].origin.path} has the same file name; rename one",
                )
                continue
            documents[document.id] = document
    return [documents[key] for key in sorted(documents)]
