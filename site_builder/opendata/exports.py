"""Derive every open-data file and the datasets that describe them.

Files: each content type as nested JSON (all documents, and one file per
document), every flat table as CSV, one tidy CSV per indicator, Popolo JSON,
a Frictionless datapackage.json, and the DCAT-AP catalogue in Turtle and
JSON-LD.
"""

from __future__ import annotations

import datetime as dt
import gc
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import urls
from ..diagnostics import Diagnostics
from ..graph import Site
from ..i18n import Strings
from ..model import ContentDocument, Origin
from ..urls import (
    DATA_DIR,
    DATAPACKAGE_PATH,
    POPOLO_PATH,
    document_json_path,
    indicator_csv_path,
    table_path,
    type_json_path,
)
from ..write import Written, spool_file
from . import dcat
from .catalogue_text import SizedCatalogue, catalogue_texts
from .csvfile import write_csv
from .datasets import Dataset, Distribution
from .jsontext import json_text
from .modeljson import json_value
from .popolo import popolo
from .tables import Column, Table, build_tables, indicator_points

INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("year", "integer", "Year.", required=True),
    Column("series", "string", "baseline, measured or target.", required=True),
    Column("breakdown", "string", "Group the value is for, e.g. girls; empty for all."),
    Column("value", "number", "The number."),
    Column("denominator", "number", "For fractions: the denominator."),
    Column("text", "string", "A value that is not a number."),
    Column("note", "string", "Footnote on this value."),
)
"""The tidy layout of one indicator's file (Open SDG's Year, breakdown columns, Value)."""

# Which tables and JSON files make up each dataset, and its EU data themes.
DATASET_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "decisions": (("decision",), ("decisions", "meetings", "motions", "votes", "vote-counts"), ("GOVE",)),
    "strategies": (("strategy",), ("strategies", "goal-areas"), ("GOVE", "JUST", "SOCI")),
    "indicators": ((), ("indicators", "indicator-values"), ("JUST", "SOCI", "GOVE")),
    "memberships": (("membership",), ("memberships", "membership-fees"), ("GOVE", "INTR")),
    "agreements": (("agreement",), ("agreements", "agreement-areas"), ("GOVE", "REGI", "JUST")),
    "commitments": (("commitment",), ("commitments",), ("JUST", "SOCI")),
    "relations": (("relations",), ("relations",), ("INTR", "GOVE")),
    "registries": ((), ("municipalities", "municipality-numbers", "organisations", "network-members", "parties"), ("GOVE", "REGI")),
    "popolo": ((), (), ("GOVE",)),
}  # fmt: skip
REGISTRY_FILES = ("municipalities", "organisations", "parties", "sdgs", "topics", "conventions")
MAX_WRITING = 64
"""Open-data files made but not yet written, at most (see OpenData.put)."""


@dataclass
class OpenData:
    """Every open-data file by output path, the tables they came from, and the catalogue's datasets."""

    files: dict[str, bytes | Path] = field(default_factory=dict)
    """Each file's bytes, or with a `spool` folder the file there that holds them."""
    tables: list[Table] = field(default_factory=list)
    datasets: list[Dataset] = field(default_factory=list)
    document_files: dict[str, str] = field(default_factory=dict)
    """Each document's own JSON file, by document id."""
    record_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """What each document's JSON was made of, by document id: a rebuild after an edit of bodies alone makes
    again only the JSON whose document changed."""
    spool: Path | None = field(default=None, repr=False, compare=False)
    """Where files are written as they are made (see render.py), so a large site's are not all in memory."""
    _tables_by_origin: dict[int, list[str]] | None = field(default=None, repr=False, compare=False)
    catalogue: SizedCatalogue | None = field(default=None, repr=False, compare=False)
    """The catalogue's texts to fill in with the sizes of the next build's files (see catalogue_text.py)."""
    spooled: dict[str, Written] = field(default_factory=dict, repr=False, compare=False)
    """The record of each file written to the `spool` (see write.py)."""
    by_page: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    """Each document's own JSON by output path, while it waits to be written to the `spool`: the worker that
    renders the document's page writes it (see render.py), so these thousands of small files are made on
    every core while pages render rather than by this process alone before."""
    unchanged: Callable[[str, bytes], Path | None] | None = field(default=None, repr=False, compare=False)
    """With a `spool`: the file of the last build's output that holds a file's bytes as they are now, if
    any. Such a file is neither written nor kept, but read from there: after an edit, a large site's ten
    thousand documents' JSON are all but one as before, and writing them cost seconds."""
    _writer: ThreadPoolExecutor | None = field(default=None, repr=False, compare=False)
    _writing: deque[tuple[str, Future[Written]]] = field(default_factory=deque, repr=False, compare=False)
    _sizes: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def put(self, path: str, content: bytes, by_page: bool = False) -> None:
        """Keep the file; with a `spool`, write it there (or, `by_page`, leave it for its document's page to
        write: see `by_page`)."""
        if self.spool is None:
            self.files[path] = content
            return
        self._sizes[path] = len(content)
        same = self.unchanged(path, content) if self.unchanged is not None else None
        if same is not None:
            self.files[path] = same
            return
        self.files[path] = self.spool / path
        if by_page:
            self.by_page[path] = content
            return
        # A thread writes the file while this one makes the next: creating thousands of files keeps the
        # kernel busy about as long as encoding them, and nothing else runs on the other core meanwhile.
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="open-data")
        self._writing.append((path, self._writer.submit(spool_file, self.spool, path, content)))
        if len(self._writing) > MAX_WRITING:  # the files waiting to be written stay few, however large
            self._wait_for_one()

    def written(self) -> None:
        """Wait until every file put is on disk; raises the first OSError a write met."""
        if self._writer is None:
            return
        try:
            while self._writing:
                self._wait_for_one()
        finally:
            self._writer.shutdown(cancel_futures=True)
            self._writer = None
            self._writing.clear()

    def _wait_for_one(self) -> None:
        path, writing = self._writing.popleft()
        self.spooled[path] = writing.result()

    def size(self, path: str) -> int:
        if path in self._sizes:
            return self._sizes[path]
        stored = self.files[path]
        return stored.stat().st_size if isinstance(stored, Path) else len(stored)

    def tables_with(self, origin: Origin) -> list[str]:
        """The names of the tables that have a row from `origin` (a document or registry entry), in table order."""
        if self._tables_by_origin is None:
            self._tables_by_origin = _tables_by_origin(self.tables)
        return self._tables_by_origin.get(id(origin), [])


def _tables_by_origin(tables: list[Table]) -> dict[int, list[str]]:
    """One pass over every row, once per build: asking each table per page would be quadratic."""
    index: dict[int, list[str]] = {}
    for table in tables:
        for origin_id in dict.fromkeys(id(row.origin) for row in table.rows):
            index.setdefault(origin_id, []).append(table.spec.name)
    return index


def json_bytes(value: Any) -> bytes:
    return (json_text(value) + "\n").encode("utf-8")


def json_list_bytes(items: Sequence[str]) -> bytes:
    """`json_bytes` of a list, made from its items' `json_text`: a document's record, published both alone
    and in its type's list, is encoded once (with indentation, json encodes in Python, slowly)."""
    return _joined_list([_list_item(item) for item in items])


def _list_item(text: str) -> str:
    # A JSON text holds no line break but between values, so indenting every line indents the item.
    return "  " + text.replace("\n", "\n  ")


def _joined_list(indented: Sequence[str]) -> bytes:
    if not indented:
        return json_bytes([])
    return ("[\n" + ",\n".join(indented) + "\n]\n").encode("utf-8")


def _spliced(listed: bytes | Path | None, replaced: Sequence[tuple[str | None, str]]) -> bytes | None:
    """A type's list of records with some items replaced (old item, new item), made from the list before
    the edit: joining the list anew would encode tens of megabytes for one changed record. None if an old
    item is unknown or not in the list."""
    try:
        text = listed.read_bytes() if isinstance(listed, Path) else listed
    except OSError:
        return None
    if text is None:
        return None
    spans = []
    for old, new in replaced:
        if old is None:
            return None
        needle = old.encode("utf-8")
        # Items are whole lines of the list ("[\n" or ",\n" before, ",\n" or "\n]" after) and each holds
        # its document's id, so one is found only where it stands.
        start = text.find(b"\n" + needle) + 1
        end = start + len(needle)
        if start == 0 or text[end : end + 2] not in (b",\n", b"\n]"):
            return None
        spans.append((start, end, new.encode("utf-8")))
    whole = memoryview(text)  # slices of it are not copies
    pieces: list[bytes | memoryview] = []
    at = 0
    for start, end, new_bytes in sorted(spans, key=lambda span: span[0]):
        pieces += [whole[at:start], new_bytes]
        at = end
    pieces.append(whole[at:])
    return b"".join(pieces)


RecordKey = tuple[str, ...]

RecordItems = dict[RecordKey, bytes]
"""Each document's JSON text, indented as an item of its type's list and compressed, by everything it is
made of: kept by `serve` from build to build, so a rebuild encodes again only the documents that changed
(encoding is most of deriving the open data). Compressed, because at 10,000 documents the texts are about
90 MB, which `serve` would hold all the time; an edit unpacks only the items it changes. The text alone is
worked out from the item when needed, not kept."""


def _record_key(site: Site, document: ContentDocument) -> RecordKey:
    settings = site.config.settings
    changed = site.last_changed.get(document.source_path)
    return (document.source_path, document.source_text, settings.base_url, settings.default_language, str(changed))


def _record_item(
    site: Site, document: ContentDocument, key: RecordKey, known: RecordItems, pack: bool
) -> tuple[str, bytes | None]:
    """The document's item and, if `pack`, the item packed; from `known` if it is there."""
    packed = known.get(key)
    if packed is not None:
        return _unpacked(packed), packed
    item = _list_item(json_text(document_record(site, document)))
    return item, zlib.compress(item.encode("utf-8"), 1) if pack else None


def _unpacked(packed: bytes) -> str:
    return zlib.decompress(packed).decode("utf-8")


def _unindented(item: str) -> str:
    """The JSON text that `_list_item` made `item` of (each of its line breaks is followed by two spaces)."""
    return item[2:].replace("\n  ", "\n")


def document_record(site: Site, document: ContentDocument) -> dict[str, Any]:
    """A document as its model holds it, plus identifier, body, links and last change."""
    record: dict[str, Any] = {"id": document.id, **json_value(document.model)}
    record["body"] = document.body
    record["url"] = urls.public_url(
        site.config.settings.base_url,
        urls.document_path(site.config.settings.default_language, document.type, document.id),
    )
    changed = site.last_changed.get(document.source_path)
    record["last_changed"] = changed.isoformat() if changed else None
    return record


def derive_open_data(
    site: Site,
    strings: dict[str, Strings],
    diagnostics: Diagnostics,
    before: OpenData | None = None,
    spool: Path | None = None,
    items: RecordItems | None = None,
    unchanged: Callable[[str, bytes], Path | None] | None = None,
) -> OpenData:
    """Every open-data file; values that do not fit their tables are diagnostics.

    `before` is this site's open data before an edit of documents' Markdown bodies alone (see bodies.py):
    then only what shows a body is made again (the documents' JSON, and the catalogue, which gives sizes).
    With a `spool` folder, each file is written there as it is made, unless `unchanged` finds it in the
    last build's output (see OpenData.unchanged). `items` are the records of the last build (see
    RecordItems); they are replaced by this build's.
    """
    # Deriving makes millions of short-lived objects without cycles; each automatic full collection on the
    # way walks the whole loaded site (about a second at 10,000 documents) and finds nothing to free.
    enabled = gc.isenabled()
    gc.disable()
    try:
        # An edit of bodies makes a few files, which serve keeps in memory; the next edit splices its
        # records into the type lists among them without reading them back.
        data = OpenData(spool=spool if before is None else None, unchanged=unchanged)
        try:
            return _derive_open_data(site, strings, diagnostics, before, data, items)
        finally:
            data.written()
    except OSError as exc:
        diagnostics.error(str(spool), 1, 1, f"cannot write the open data: {exc}", "free some disk space")
        return OpenData()
    finally:
        if enabled:
            gc.enable()


def _derive_open_data(
    site: Site,
    strings: dict[str, Strings],
    diagnostics: Diagnostics,
    before: OpenData | None,
    data: OpenData,
    known: RecordItems | None,
) -> OpenData:
    if before is not None:
        data.files, data.tables, data._tables_by_origin = dict(before.files), before.tables, before._tables_by_origin
    else:
        data.tables = build_tables(site, diagnostics)
        # Here, before the pages' workers fork, not by each of them: the pass touches every row, and each
        # worker would keep its own copy of the memory it touched (about 20 MB at 10,000 documents).
        data._tables_by_origin = _tables_by_origin(data.tables)
        for table in data.tables:
            data.put(table_path(table.spec.name), write_csv(table.spec.columns, (row.values for row in table.rows)))
        for indicator_id, ref in sorted(site.indicators.items()):
            rows = [
                (p.year, series, p.breakdown, p.value, p.denominator, p.text, p.note)
                for series, p in indicator_points(ref.indicator)
            ]
            data.put(indicator_csv_path(indicator_id), write_csv(INDICATOR_COLUMNS, rows))
    made: RecordItems = {}
    reusable = known if known is not None else {}
    # Items are packed only for a rebuild to keep or splice; a one-off build would pack 2,000 for nothing.
    pack = known is not None or before is not None
    for doc_type, documents in site.by_type.items():
        ordered = sorted(documents, key=lambda d: d.id)
        changed = before is None
        keys = []
        items = []  # every item, when the list is made anew (a clean build)
        replaced: list[tuple[str | None, str]] = []
        for document in ordered:
            key = _record_key(site, document)
            keys.append(key)
            path = document_json_path(document.type, document.id)
            data.document_files[document.id] = path
            data.record_keys[document.id] = key
            old_key = before.record_keys.get(document.id) if before is not None else None
            if before is not None and old_key == key and key in reusable:  # as before the edit: left packed
                made[key] = reusable[key]
                continue
            item, packed = _record_item(site, document, key, reusable, pack)
            if packed is not None:
                made[key] = packed
            if before is None:
                items.append(item)
            elif old_key == key:  # as before the edit, though not known packed
                continue
            else:
                replaced.append((_unpacked(reusable[old_key]) if old_key in reusable else None, item))
            data.put(path, (_unindented(item) + "\n").encode("utf-8"), by_page=True)
            changed = True
        if changed:
            listed = _spliced(before.files.get(type_json_path(doc_type)), replaced) if before is not None else None
            if listed is None and before is not None:
                items = [_unpacked(made[key]) for key in keys]
            data.put(type_json_path(doc_type), listed if listed is not None else _joined_list(items))
    if known is not None:
        known.clear()
        known.update(made)
    if before is None:
        for name in REGISTRY_FILES:
            entries = getattr(site.registries, name)
            data.put(
                f"{DATA_DIR}/{name}.json",
                json_bytes([entry.value.model_dump(mode="json") for _, entry in sorted(entries.items())]),
            )
        data.put(POPOLO_PATH, json_bytes(popolo(site)))
    if before is None:
        data.datasets = _datasets(site, data, strings)
        data.put(DATAPACKAGE_PATH, json_bytes(datapackage(site, data)))  # it gives only the tables' sizes
    else:  # bodies are in no dataset's description, only in its files' sizes
        data.datasets = [_resized(dataset, data) for dataset in before.datasets]
    modified = _latest(d.modified for d in data.datasets)
    turtle, jsonld, data.catalogue = catalogue_texts(
        site.config.settings, data.datasets, modified, before.catalogue if before is not None else None
    )
    data.put(dcat.CATALOGUE_TURTLE_PATH, turtle.encode("utf-8"))
    data.put(dcat.CATALOGUE_JSONLD_PATH, jsonld.encode("utf-8"))
    return data


def _resized(dataset: Dataset, data: OpenData) -> Dataset:
    """`dataset` with the sizes of its files in `data`: the same object if none changed."""
    sizes = [data.size(d.path) for d in dataset.distributions]
    if all(d.byte_size == size for d, size in zip(dataset.distributions, sizes, strict=True)):
        return dataset
    distributions = tuple(
        d if d.byte_size == size else replace(d, byte_size=size)
        for d, size in zip(dataset.distributions, sizes, strict=True)
    )
    return replace(dataset, distributions=distributions)


def _latest(dates: Any) -> dt.date | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def _distribution(data: OpenData, path: str, conforms_to: str | None = None) -> Distribution:
    media_type, file_format = ("text/csv", "CSV") if path.endswith(".csv") else ("application/json", "JSON")
    return Distribution(path, media_type, file_format, path.rsplit("/", 1)[-1], data.size(path), conforms_to)


def _datasets(site: Site, data: OpenData, strings: dict[str, Strings]) -> list[Dataset]:
    languages = list(site.config.settings.languages)
    datasets = []
    for dataset_id, (doc_types, table_names, themes) in DATASET_PARTS.items():
        distributions: list[Distribution] = []
        documents = [d for t in doc_types for d in site.by_type.get(t, [])]
        for doc_type in doc_types:
            if type_json_path(doc_type) in data.files:
                distributions.append(_distribution(data, type_json_path(doc_type), urls.schema_path(doc_type)))
        for name in table_names:
            distributions.append(_distribution(data, table_path(name)))
        sources = [d.source_path for d in documents]
        if dataset_id == "indicators":
            distributions.extend(_distribution(data, indicator_csv_path(i)) for i in sorted(site.indicators))
            documents = [ref.strategy for ref in site.indicators.values()]
            sources = [d.source_path for d in documents]
        if dataset_id == "registries":
            distributions.extend(_distribution(data, f"{DATA_DIR}/{n}.json") for n in REGISTRY_FILES)
            sources = [f"{site.config.settings.data_dir}/{n}.yaml" for n in REGISTRY_FILES]
        if dataset_id == "popolo":
            distributions.append(_distribution(data, POPOLO_PATH))
            documents = site.by_type.get("decision", []) + site.by_type.get("membership", [])
            sources = [d.source_path for d in documents] + [f"{site.config.settings.data_dir}/organisations.yaml"]
        countries = sorted(
            {site.registries.municipalities[m].value.country for d in documents for m in [d.municipality] if m}
            or {e.value.country for e in site.registries.municipalities.values()}
        )
        datasets.append(
            Dataset(
                id=dataset_id,
                title={lang: strings[lang](f"dataset.{dataset_id}.title") for lang in languages},
                description={lang: strings[lang](f"dataset.{dataset_id}.description") for lang in languages},
                themes=themes,
                keywords={
                    lang: tuple(k.strip() for k in strings[lang](f"dataset.{dataset_id}.keywords").split(","))
                    for lang in languages
                },
                distributions=tuple(distributions),
                modified=_latest(site.last_changed.get(path) for path in sources),
                spatial=tuple(countries),
                languages=tuple(sorted({d.model.lang for d in documents})) or tuple(languages),
            )
        )
    return datasets


def datapackage(site: Site, data: OpenData) -> dict[str, Any]:
    """A Frictionless Data Package (v2) describing every CSV with its Table Schema."""
    settings = site.config.settings
    licence = {"name": settings.licence.id, "path": settings.licence.url, "title": settings.licence.name}
    resources: list[dict[str, Any]] = []
    for table in data.tables:
        spec = table.spec
        resources.append({
            "name": spec.name,
            "type": "table",
            "path": f"{spec.name}.csv",
            "scheme": "file",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": spec.title,
            "description": spec.description,
            "bytes": data.size(table_path(spec.name)),
            "schema": {
                "fields": [_field(c) for c in spec.columns],
                "primaryKey": list(spec.primary_key),
                "foreignKeys": [
                    {"fields": list(fk.fields), "reference": {"resource": "" if fk.table == spec.name else fk.table, "fields": list(fk.reference)}}
                    for fk in spec.foreign_keys
                ],
                "missingValues": [""],
            },
            "licenses": [licence],
        })  # fmt: skip
    for indicator_id in sorted(site.indicators):
        path = indicator_csv_path(indicator_id)
        resources.append({
            "name": f"indicator-{indicator_id}",
            "type": "table",
            "path": path.removeprefix(f"{DATA_DIR}/"),
            "scheme": "file",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": site.indicators[indicator_id].indicator.name,
            "bytes": data.size(path),
            "schema": {"fields": [_field(c) for c in INDICATOR_COLUMNS], "missingValues": [""]},
            "licenses": [licence],
        })  # fmt: skip
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "site-builder-open-data",
        "title": settings.name_in("en") or settings.name_in(settings.default_language),
        "description": settings.description_in("en") or settings.description_in(settings.default_language),
        "homepage": settings.base_url,
        "licenses": [licence],
        "resources": resources,
    }


def _field(column: Column) -> dict[str, Any]:
    field_: dict[str, Any] = {"name": column.name, "type": column.type, "description": column.description}
    if column.type == "boolean":
        field_["trueValues"] = ["true"]
        field_["falseValues"] = ["false"]
    if column.required:
        field_["constraints"] = {"required": True}
    return field_
