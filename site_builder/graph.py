"""The site graph: resolve every reference, build reverse links and taxonomies.

A dangling reference is a diagnostic at the line that names it. After this
stage every identifier in a model points at something that exists.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel

from .config import SiteConfig
from .diagnostics import Diagnostics
from .model import ContentDocument, Origin, Registries
from .models import Decision, Indicator, Strategy
from .models.documents import DataPoint, GoalArea
from .models.validate import did_you_mean
from .series import SeriesFile

# Which registry or document kind each reference-holding field points into.
# Field names are chosen so that one name always means one kind of target.
REFERENCE_FIELDS: dict[str, str] = {
    "municipality": "municipality",
    "partner_municipality": "municipality",
    "parties": "municipality",
    "organisation": "organisation",
    "partner_organisation": "organisation",
    "requested_by": "organisation",
    "body": "organisation",
    "deciding_body": "organisation",
    "owner": "organisation",
    "parent": "organisation",
    "party": "party",
    "on_behalf_of": "party",
    "supporting_parties": "party",
    "topics": "topic",
    "conventions": "convention",
    "sdgs": "sdg",
    "decided_by": "decision",
    "adopted_by": "decision",
    "adopts": "strategy",
    "related": "document",
    "amends": "motion",
    "motion": "motion",
    "against": "motion",
    "vote": "vote",
    "file": "file",
}

_REGISTRY_FILES = {
    "municipality": "data/municipalities.yaml",
    "organisation": "data/organisations.yaml",
    "party": "data/parties.yaml",
    "topic": "data/topics.yaml",
    "convention": "data/conventions.yaml",
    "sdg": "data/sdgs.yaml",
}


@dataclass(frozen=True)
class IndicatorRef:
    """An indicator with the strategy and goal area it belongs to."""

    indicator: Indicator
    strategy: ContentDocument
    goal_area: GoalArea


@dataclass(frozen=True)
class Backlink:
    """Document `source` refers to the target through `field`."""

    source: str
    field: str


@dataclass
class Site:
    """Everything the derive and render stages need, resolved and indexed."""

    config: SiteConfig
    registries: Registries
    documents: dict[str, ContentDocument]
    by_type: dict[str, list[ContentDocument]] = field(default_factory=dict)
    by_municipality: dict[str, list[ContentDocument]] = field(default_factory=dict)
    by_organisation: dict[str, list[ContentDocument]] = field(default_factory=dict)
    by_topic: dict[str, list[ContentDocument]] = field(default_factory=dict)
    by_sdg: dict[int, list[ContentDocument]] = field(default_factory=dict)
    by_year: dict[int, list[ContentDocument]] = field(default_factory=dict)
    backlinks: dict[str, list[Backlink]] = field(default_factory=dict)
    indicators: dict[str, IndicatorRef] = field(default_factory=dict)
    bodies: dict[str, list[str]] = field(default_factory=dict)
    """Each municipality's bodies (organisation identifiers)."""
    last_changed: dict[str, dt.date] = field(default_factory=dict)
    """When each source file (path relative to the project) last changed, where the history is known."""
    files: set[str] = field(default_factory=set)
    """Files in files/ that documents refer to (paths relative to files/), published under /files/."""
    series: dict[str, list[DataPoint]] = field(default_factory=dict)
    """Measured values from data/series/, by indicator identifier."""


def document_year(document: ContentDocument) -> int | None:
    """The year a document belongs to in the year lists."""
    model = document.model
    if model.date is not None:
        return model.date.year
    fields = vars(model)  # not getattr: most models lack these fields, and a miss is slow
    for name in ("period_start", "start_year"):
        value = fields.get(name)
        if isinstance(value, int):
            return value
    if isinstance(model, Decision):
        dates = [c.date for c in model.consultations if c.date]
        if dates:
            return max(dates).year
    return None


def sort_key(document: ContentDocument) -> tuple[str, str]:
    """Newest first, then by title: the order of every list on the site."""
    year = document_year(document)
    date = document.model.date.isoformat() if document.model.date else f"{year or 0:04d}"
    # Inverting characters sorts dates descending while titles stay ascending.
    return date.translate(_INVERTED), document.model.title.casefold()


class _Inverted(dict[int, str]):
    """Each character's inverse (0x10FFFF minus its code), for `str.translate`."""

    def __missing__(self, code: int) -> str:
        inverse = self[code] = chr(0x10FFFF - code)
        return inverse


_INVERTED = _Inverted()


MAX_REFERENCED_FILE_BYTES = 50_000_000
"""A referenced file larger than this is refused: the site is for documents, not archives."""


def check_file_reference(files_dir: Path, root: Path, value: str) -> tuple[str, str] | None:
    """A problem (message, hint) with a `file:` reference, or None if it names a file inside files/."""
    hint = "give a path inside files/, e.g. tromso/sak-124-22.pdf"
    if value.startswith(("/", "\\", "~")) or PureWindowsPath(value).drive:
        return f"the file reference '{value}' is an absolute path", hint
    parts = PurePosixPath(value.replace("\\", "/")).parts
    if ".." in parts:
        return f"the file reference '{value}' leaves the project", hint
    path = files_dir / PurePosixPath(value.replace("\\", "/"))
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        return f"the file reference '{value}' cannot be followed", hint
    if not resolved.is_relative_to(root.resolve()):
        return f"'{value}' is a symbolic link that leads outside the project", "copy the file into files/ instead"
    if not resolved.is_relative_to(files_dir.resolve()):
        return f"the file reference '{value}' leaves the files/ folder", hint
    if not resolved.is_file():
        return f"no file '{value}' in files/", "add the file to files/ or fix the path"
    size = resolved.stat().st_size
    if size > MAX_REFERENCED_FILE_BYTES:
        return (
            f"'{value}' is {size:,} bytes, more than the limit of {MAX_REFERENCED_FILE_BYTES:,}",
            "link to it instead",
        )
    return None


_CHECKED_FIELDS: dict[type[BaseModel], tuple[tuple[str, str | None], ...]] = {}


def _checked_fields(model_type: type[BaseModel]) -> tuple[tuple[str, str | None], ...]:
    """The fields of a model that refer to something or may hold models, with the kind of target each
    refers to; worked out once per model, as the checker visits every model of every document."""
    fields = _CHECKED_FIELDS.get(model_type)
    if fields is None:
        fields = _CHECKED_FIELDS[model_type] = tuple(
            (name, REFERENCE_FIELDS.get(name))
            for name, info in model_type.model_fields.items()
            if name in REFERENCE_FIELDS or _may_hold_models(info.annotation)
        )
    return fields


def _may_hold_models(annotation: Any) -> bool:
    """Whether a field so annotated may hold a model, or a list of them (True when unsure)."""
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel)
    origin = get_origin(annotation)
    if origin is Literal:
        return False
    if origin is Annotated:
        return _may_hold_models(get_args(annotation)[0])
    arguments = get_args(annotation)
    return any(_may_hold_models(argument) for argument in arguments) if arguments else True


class _ReferenceChecker:
    def __init__(
        self,
        registries: Registries,
        documents: dict[str, ContentDocument],
        diagnostics: Diagnostics,
        config: SiteConfig,
        invalid: dict[str, set[str]],
    ) -> None:
        self.diagnostics = diagnostics
        self.config = config
        self.files: set[str] = set()
        self.targets: dict[str, set[Any]] = {
            "municipality": set(registries.municipalities),
            "organisation": set(registries.organisations),
            "party": set(registries.parties),
            "topic": set(registries.topics),
            "convention": set(registries.conventions),
            "sdg": set(registries.sdgs),
            "decision": {k for k, d in documents.items() if d.type == "decision"},
            "strategy": {k for k, d in documents.items() if d.type == "strategy"},
            "document": set(documents),
        }
        # Entries that exist but failed validation already have their own diagnostic; references to
        # them are not reported again as dangling.
        for kind, identifiers in invalid.items():
            self.targets.setdefault(kind, set()).update(identifiers)
        self.documents = documents

    def check(
        self,
        model: BaseModel,
        origin: Origin,
        path: tuple[str | int, ...] = (),
        motions: set[str] | None = None,
        source_id: str | None = None,
        backlinks: dict[str, list[Backlink]] | None = None,
    ) -> None:
        if isinstance(model, Decision):
            motions = self._motion_ids(model, origin)
        for name, kind in _checked_fields(type(model)):
            value = getattr(model, name)
            if kind is not None and value is not None and not isinstance(value, BaseModel):
                values = value if isinstance(value, list) else [value]
                for index, item in enumerate(values):
                    if isinstance(item, BaseModel):
                        break
                    where = (*path, name, index) if isinstance(value, list) else (*path, name)
                    self._resolve(kind, item, origin, where, motions)
                    if backlinks is not None and source_id and kind in ("decision", "strategy", "document"):
                        backlinks.setdefault(str(item), []).append(Backlink(source_id, name))
            if isinstance(value, BaseModel):
                self.check(value, origin, (*path, name), motions, source_id, backlinks)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, BaseModel):
                        self.check(item, origin, (*path, name, index), motions, source_id, backlinks)

    def _motion_ids(self, decision: Decision, origin: Origin) -> set[str]:
        """Motion and vote identifiers of a decision, which its votes and reservations refer to."""
        seen: set[str] = set()
        for c_index, consultation in enumerate(decision.consultations):
            items = [("motions", i, m.id) for i, m in enumerate(consultation.motions)]
            items += [("votes", i, v.id) for i, v in enumerate(consultation.votes) if v.id]
            for field_name, index, identifier in items:
                if identifier in seen:
                    line, column = origin.position("consultations", c_index, field_name, index, "id")
                    self.diagnostics.error(
                        origin.path,
                        line,
                        column,
                        f"duplicate identifier '{identifier}' in this decision",
                        "each motion and vote in a decision needs its own id",
                    )
                seen.add(identifier)
        return seen

    def _resolve_file(self, value: str, origin: Origin, where: tuple[str | int, ...]) -> None:
        problem = check_file_reference(self.config.files_dir, self.config.root, value)
        if problem is None:
            self.files.add(PurePosixPath(value.replace("\\", "/")).as_posix())
            return
        line, column = origin.position(*where)
        self.diagnostics.error(origin.path, line, column, *problem)

    def _resolve(
        self, kind: str, value: Any, origin: Origin, where: tuple[str | int, ...], motions: set[str] | None
    ) -> None:
        if kind == "file":
            self._resolve_file(str(value), origin, where)
            return
        if kind == "sdg":
            goal = int(str(value).split(".")[0])
            if self.targets["sdg"] and goal not in self.targets["sdg"]:
                line, column = origin.position(*where)
                self.diagnostics.error(origin.path, line, column, f"SDG goal {goal} is not in data/sdgs.yaml")
            return
        known = (motions or set()) if kind in ("motion", "vote") else self.targets[kind]
        if value in known:
            return
        line, column = origin.position(*where)
        if kind in ("motion", "vote"):
            message = f"no {kind} '{value}' in this decision"
        elif kind in _REGISTRY_FILES:
            message = f"unknown {kind} '{value}': it is not in {_REGISTRY_FILES[kind]}"
        elif kind == "document":
            message = f"no document '{value}' on the site"
        else:
            message = f"no {kind} document '{value}' on the site"
        hint = did_you_mean(str(value), [str(k) for k in known])
        if not hint and kind in _REGISTRY_FILES:
            hint = f"add it to {_REGISTRY_FILES[kind]} or fix the spelling"
        self.diagnostics.error(origin.path, line, column, message, hint)


def build_site(
    config: SiteConfig,
    registries: Registries,
    documents: list[ContentDocument],
    diagnostics: Diagnostics,
    last_changed: dict[str, dt.date] | None = None,
    invalid: dict[str, set[str]] | None = None,
    series: dict[str, SeriesFile] | None = None,
) -> Site:
    """Check every reference and index the documents every way the site lists them.

    `invalid` names, per kind of target, the identifiers of entries that failed validation.
    """
    by_id = {d.id: d for d in documents}
    checker = _ReferenceChecker(registries, by_id, diagnostics, config, invalid or {})
    for table in (registries.municipalities, registries.organisations, registries.parties):
        for entry in table.values():
            checker.check(entry.value, entry.origin)
    site = Site(config=config, registries=registries, documents=by_id, last_changed=last_changed or {})
    backlinks: dict[str, list[Backlink]] = {}
    for document in documents:
        checker.check(document.model, document.origin, source_id=document.id, backlinks=backlinks)
    site.backlinks = {k: sorted(v, key=lambda b: (b.source, b.field)) for k, v in sorted(backlinks.items())}
    site.files = checker.files

    _index(site, documents)
    _collect_indicators(site, documents, diagnostics)
    _attach_series(site, series or {}, diagnostics)
    for org_id, entry in sorted(registries.organisations.items()):
        if entry.value.municipality:
            site.bodies.setdefault(entry.value.municipality, []).append(org_id)
    return site


def _index(site: Site, documents: list[ContentDocument]) -> None:
    by_type: dict[str, list[ContentDocument]] = defaultdict(list)
    by_municipality: dict[str, list[ContentDocument]] = defaultdict(list)
    by_organisation: dict[str, list[ContentDocument]] = defaultdict(list)
    by_topic: dict[str, list[ContentDocument]] = defaultdict(list)
    by_sdg: dict[int, list[ContentDocument]] = defaultdict(list)
    by_year: dict[int, list[ContentDocument]] = defaultdict(list)
    for document in documents:
        model = document.model
        # The fields by name: getattr on a model without the field is slow to miss (and conditions may be text).
        fields = vars(model)
        by_type[document.type].append(document)
        municipalities = {fields.get("municipality"), *fields.get("parties", [])}
        for relation in fields.get("relations", []):
            municipalities.add(relation.partner_municipality)
        for peer in fields.get("peers", []):
            municipalities.add(peer.municipality)
        for condition in fields.get("conditions", []):
            municipalities.add(getattr(condition, "municipality", None))
        for municipality in sorted(m for m in municipalities if m):
            by_municipality[municipality].append(document)
        organisations = {fields.get("organisation"), fields.get("requested_by")}
        for relation in fields.get("relations", []):
            organisations.add(relation.partner_organisation)
        if isinstance(model, Decision):
            organisations.update(c.body for c in model.consultations)
            organisations.add(model.deciding_body)
        for organisation in sorted(o for o in organisations if o):
            by_organisation[organisation].append(document)
        for topic in model.topics:
            by_topic[topic].append(document)
        for goal in sorted({int(code.split(".")[0]) for code in _all_sdgs(model)}):
            by_sdg[goal].append(document)
        year = document_year(document)
        if year is not None:
            by_year[year].append(document)
    # A document is in several lists: its place is worked out once.
    keys = {id(document): sort_key(document) for document in documents}

    def key(document: ContentDocument) -> tuple[str, str]:
        return keys[id(document)]

    site.by_type = {k: sorted(v, key=key) for k, v in sorted(by_type.items())}
    site.by_municipality = {k: sorted(v, key=key) for k, v in sorted(by_municipality.items())}
    site.by_organisation = {k: sorted(v, key=key) for k, v in sorted(by_organisation.items())}
    site.by_topic = {k: sorted(v, key=key) for k, v in sorted(by_topic.items())}
    site.by_sdg = {k: sorted(v, key=key) for k, v in sorted(by_sdg.items())}
    site.by_year = {k: sorted(v, key=key) for k, v in sorted(by_year.items(), reverse=True)}


def _all_sdgs(model: BaseModel) -> list[str]:
    codes: list[str] = list(getattr(model, "sdgs", []))
    if isinstance(model, Strategy):
        for area in model.goal_areas:
            codes.extend(area.sdgs)
            for indicator in area.indicators:
                codes.extend(indicator.sdgs)
    return codes


def _collect_indicators(site: Site, documents: list[ContentDocument], diagnostics: Diagnostics) -> None:
    for document in documents:
        if not isinstance(document.model, Strategy):
            continue
        for a_index, area in enumerate(document.model.goal_areas):
            for i_index, indicator in enumerate(area.indicators):
                if indicator.id in site.indicators:
                    line, column = document.origin.position("goal_areas", a_index, "indicators", i_index, "id")
                    other = site.indicators[indicator.id].strategy.origin.path
                    diagnostics.error(
                        document.origin.path,
                        line,
                        column,
                        f"duplicate indicator identifier '{indicator.id}'",
                        f"also used in {other}",
                    )
                    continue
                site.indicators[indicator.id] = IndicatorRef(indicator, document, area)


def _attach_series(site: Site, series: dict[str, SeriesFile], diagnostics: Diagnostics) -> None:
    """Give each data/series/ file to its indicator; a file for no known indicator, or a value the
    strategy already states, is an error."""
    for indicator_id, found in sorted(series.items()):
        shown = found.shown
        ref = site.indicators.get(indicator_id)
        if ref is None:
            hint = did_you_mean(indicator_id, site.indicators) or "name the file after an indicator's `id`"
            diagnostics.error(shown, 1, 1, f"no indicator '{indicator_id}' for this series", hint)
            continue
        breakdowns = {b.id for b in ref.indicator.breakdowns}
        stated = {(p.year, p.breakdown) for p in ref.indicator.values}
        for line, point in zip(found.lines, found.points, strict=True):
            if point.breakdown is not None and point.breakdown not in breakdowns:
                hint = (
                    did_you_mean(point.breakdown, breakdowns)
                    or f"the indicator's breakdowns: {', '.join(sorted(breakdowns)) or 'none'}"
                )
                diagnostics.error(shown, line, 1, f"unknown breakdown '{point.breakdown}'", hint)
            elif (point.year, point.breakdown) in stated:
                diagnostics.error(shown, line, 1, f"{point.year} is already in the strategy's `values`",
                                  f"keep each value in one place: {ref.strategy.origin.path}")  # fmt: skip
        site.series[indicator_id] = found.points
