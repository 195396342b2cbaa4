"""Flat tables of every fact on the site, one per repeated part, with their Table Schemas.

Each table is defined once here: its columns with types, its primary and
foreign keys, and the function that yields its rows from the site graph. The
CSV files, the datapackage.json and the round-trip tests all read these
definitions, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from ..diagnostics import Diagnostics
from ..graph import Site
from ..model import ContentDocument, Origin
from ..models import Agreement, Commitment, Decision, DocumentBase, Membership, Relations, Strategy
from ..models.documents import DataPoint, Indicator

ColumnType = Literal["string", "integer", "number", "date", "boolean"]


@dataclass(frozen=True)
class Column:
    """One column: its name, Table Schema type and meaning."""

    name: str
    type: ColumnType
    description: str
    required: bool = False


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    table: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """A row's values in column order, and where its facts came from (for diagnostics)."""

    values: tuple[Any, ...]
    origin: Origin


@dataclass(frozen=True)
class TableSpec:
    """A table's definition; `rows` reads the site and yields its rows."""

    name: str
    dataset: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rows: Callable[[Site], Iterator[Row]]
    foreign_keys: tuple[ForeignKey, ...] = ()


@dataclass
class Table:
    """A table's definition with its rows, ready to write."""

    spec: TableSpec
    rows: list[Row] = field(default_factory=list)


def _c(name: str, kind: ColumnType, description: str, required: bool = False) -> Column:
    return Column(name, kind, description, required)


def _fk(fields: str | tuple[str, ...], table: str, reference: str | tuple[str, ...] = "id") -> ForeignKey:
    as_tuple = (fields,) if isinstance(fields, str) else fields
    ref_tuple = (reference,) if isinstance(reference, str) else reference
    return ForeignKey(as_tuple, table, ref_tuple)


M = TypeVar("M", bound=DocumentBase)


def _documents_of(site: Site, model_type: type[M]) -> Iterator[tuple[ContentDocument, M]]:
    """Every document of one content type with its model, in identifier order."""
    for document in site.documents.values():
        if isinstance(document.model, model_type):
            yield document, document.model


def _joined(values: list[str]) -> str | None:
    """Several identifiers in one cell, separated by a space (identifiers never contain one)."""
    return " ".join(values) if values else None


# --- rows ----------------------------------------------------------------------------------


def _municipality_rows(site: Site) -> Iterator[Row]:
    for key, entry in sorted(site.registries.municipalities.items()):
        m = entry.value
        lat = m.coordinates.lat if m.coordinates else None
        lon = m.coordinates.lon if m.coordinates else None
        current = next((n.code for n in m.numbers if n.valid_to is None), None)
        yield Row((key, m.name, m.country, m.region, current, lat, lon, m.url), entry.origin)


def _municipality_number_rows(site: Site) -> Iterator[Row]:
    for key, entry in sorted(site.registries.municipalities.items()):
        for number in entry.value.numbers:
            yield Row((key, number.code, number.valid_from, number.valid_to), entry.origin)


def _organisation_rows(site: Site) -> Iterator[Row]:
    for key, entry in sorted(site.registries.organisations.items()):
        o = entry.value
        yield Row(
            (key, o.name, o.abbreviation, o.kind, o.country, o.municipality, o.parent, o.founded, o.url), entry.origin
        )


def _network_member_rows(site: Site) -> Iterator[Row]:
    for key, entry in sorted(site.registries.organisations.items()):
        for number, member in enumerate(entry.value.members, start=1):
            yield Row((key, number, member.municipality, member.name, member.country, member.since), entry.origin)


def _party_rows(site: Site) -> Iterator[Row]:
    for key, entry in sorted(site.registries.parties.items()):
        p = entry.value
        yield Row((key, p.country, p.abbreviation, p.name, p.colour), entry.origin)


def _decision_rows(site: Site) -> Iterator[Row]:
    for doc, d in _documents_of(site, Decision):
        yield Row(
            (doc.id, d.municipality, d.title, d.lang, d.date, d.status, d.case_number, d.archive_number,
             d.deciding_body, _joined(d.adopts), d.summary),
            doc.origin,
        )  # fmt: skip


def _meeting_rows(site: Site) -> Iterator[Row]:
    for doc, d in _documents_of(site, Decision):
        for number, c in enumerate(d.consultations, start=1):
            yield Row(
                (doc.id, c.id, number, c.body, c.date, c.agenda_item, c.authoritative, c.result, c.result_text,
                 c.decision, c.statement),
                doc.origin,
            )  # fmt: skip


def _motion_rows(site: Site) -> Iterator[Row]:
    for doc, d in _documents_of(site, Decision):
        for c in d.consultations:
            for m in c.motions:
                yield Row(
                    (doc.id, m.id, c.id, m.identifier, m.kind, m.mover.name if m.mover else None,
                     m.mover.party if m.mover else None, _joined(m.on_behalf_of), _joined(m.supporting_parties),
                     m.amends, m.result, m.text),
                    doc.origin,
                )  # fmt: skip


def _vote_rows(site: Site) -> Iterator[Row]:
    for doc, d in _documents_of(site, Decision):
        for c in d.consultations:
            for number, v in enumerate(c.votes, start=1):
                yield Row(
                    (doc.id, c.id, number, v.id, v.motion, v.against, v.result, v.unanimous, v.present,
                     v.description),
                    doc.origin,
                )  # fmt: skip


def _vote_count_rows(site: Site) -> Iterator[Row]:
    for doc, d in _documents_of(site, Decision):
        for c in d.consultations:
            for number, v in enumerate(c.votes, start=1):
                for count_number, count in enumerate(v.counts, start=1):
                    yield Row((doc.id, c.id, number, count_number, count.party, count.option, count.value), doc.origin)


def _strategy_rows(site: Site) -> Iterator[Row]:
    for doc, s in _documents_of(site, Strategy):
        yield Row(
            (doc.id, s.municipality, s.title, s.lang, s.period_start, s.period_end, s.status, s.adopted_by, s.owner,
             s.overall_goal),
            doc.origin,
        )  # fmt: skip


def _goal_area_rows(site: Site) -> Iterator[Row]:
    for doc, s in _documents_of(site, Strategy):
        for number, a in enumerate(s.goal_areas, start=1):
            yield Row((doc.id, a.id, number, a.number, a.title, a.aim, a.desired_state), doc.origin)


def _indicator_rows(site: Site) -> Iterator[Row]:
    for key, ref in sorted(site.indicators.items()):
        i, src = ref.indicator, ref.indicator.source
        yield Row(
            (key, ref.strategy.id, ref.goal_area.id, i.name, i.unit, i.value_type, i.direction, i.direction_note,
             src.title if src else None, src.publisher if src else None, src.year if src else None,
             src.reference if src else None, src.kolada_id if src else None, src.ssb_table if src else None,
             src.footnote if src else None),
            ref.strategy.origin,
        )  # fmt: skip


def indicator_points(indicator: Indicator) -> Iterator[tuple[str, DataPoint]]:
    """Every value of an indicator with its series: baseline, measured, target."""
    for series, points in (
        ("baseline", indicator.baseline),
        ("measured", indicator.values),
        ("target", indicator.target),
    ):
        for point in points:
            yield series, point


def _indicator_value_rows(site: Site) -> Iterator[Row]:
    for key, ref in sorted(site.indicators.items()):
        for number, (series, p) in enumerate(indicator_points(ref.indicator), start=1):
            yield Row(
                (key, number, series, p.year, p.breakdown, p.value, p.denominator, p.text, p.note), ref.strategy.origin
            )


def _membership_rows(site: Site) -> Iterator[Row]:
    for doc, m in _documents_of(site, Membership):
        yield Row(
            (doc.id, m.municipality, m.organisation, m.title, m.programme, m.start_year, m.end_year, m.status,
             m.binding_years, m.decided_by),
            doc.origin,
        )  # fmt: skip


def _membership_fee_rows(site: Site) -> Iterator[Row]:
    for doc, m in _documents_of(site, Membership):
        for number, fee in enumerate(m.fees, start=1):
            yield Row((doc.id, number, fee.amount, fee.currency, fee.per, fee.year, fee.funding), doc.origin)


def _relation_rows(site: Site) -> Iterator[Row]:
    for doc, r in _documents_of(site, Relations):
        for number, rel in enumerate(r.relations, start=1):
            yield Row(
                (doc.id, number, r.municipality, rel.partner, rel.kind, rel.country, rel.region, rel.since,
                 rel.partner_municipality, rel.partner_organisation, rel.goal_area, rel.note),
                doc.origin,
            )  # fmt: skip


def _agreement_rows(site: Site) -> Iterator[Row]:
    for doc, a in _documents_of(site, Agreement):
        condition = " | ".join(c.text for c in a.conditions) or None
        yield Row(
            (doc.id, a.municipality, _joined(a.parties), a.title, a.status, a.start_year, a.decided_by, condition,
             a.economic_consequences),
            doc.origin,
        )  # fmt: skip


def _agreement_area_rows(site: Site) -> Iterator[Row]:
    for doc, a in _documents_of(site, Agreement):
        for number, area in enumerate(a.areas, start=1):
            yield Row((doc.id, number, area.title, area.description), doc.origin)


def _commitment_rows(site: Site) -> Iterator[Row]:
    for doc, c in _documents_of(site, Commitment):
        yield Row(
            (doc.id, c.municipality, c.title, c.kind, c.status, c.date, c.requested_by, _joined(c.conventions),
             _joined(list(c.fra_elements))),
            doc.origin,
        )  # fmt: skip


# --- definitions -----------------------------------------------------------------------------

ID = _c("id", "string", "Identifier, as in the site's URLs.", required=True)
MUNICIPALITY = _c("municipality", "string", "The municipality's identifier (municipalities.csv).", required=True)

TABLES: tuple[TableSpec, ...] = (
    TableSpec("municipalities", "registries", "Municipalities", "Municipalities the site refers to.",
        (ID, _c("name", "string", "Official name.", True), _c("country", "string", "ISO 3166-1 alpha-2 code.", True),
         _c("region", "string", "County or region."), _c("current_number", "string", "Municipality number in force."),
         _c("latitude", "number", "Latitude, WGS 84."), _c("longitude", "number", "Longitude, WGS 84."),
         _c("url", "string", "Web site.")),
        ("id",), _municipality_rows),
    TableSpec("municipality-numbers", "registries", "Municipality numbers",
        "Official municipality numbers with the years they were valid.",
        (MUNICIPALITY, _c("code", "string", "The number.", True), _c("valid_from", "integer", "First year valid."),
         _c("valid_to", "integer", "Last year valid; empty while in force.")),
        ("municipality", "code"), _municipality_number_rows, (_fk("municipality", "municipalities"),)),
    TableSpec("organisations", "registries", "Organisations",
        "Networks, institutions and municipal bodies (councils and committees).",
        (ID, _c("name", "string", "Own name.", True), _c("abbreviation", "string", "Short form."),
         _c("kind", "string", "Kind of organisation.", True), _c("country", "string", "ISO 3166-1 alpha-2 code."),
         _c("municipality", "string", "For a municipal body: its municipality."),
         _c("parent", "string", "Organisation it is part of."), _c("founded", "integer", "Year founded."),
         _c("url", "string", "Web site.")),
        ("id",), _organisation_rows,
        (_fk("municipality", "municipalities"), _fk("parent", "organisations"))),
    TableSpec("network-members", "registries", "Network members", "Members of networks as a source lists them.",
        (_c("organisation", "string", "The network.", True), _c("number", "integer", "Position in the list.", True),
         _c("municipality", "string", "The member, if in municipalities.csv."), _c("name", "string", "Member's name otherwise."),
         _c("country", "string", "Member's country otherwise."), _c("since", "integer", "Year joined.")),
        ("organisation", "number"), _network_member_rows,
        (_fk("organisation", "organisations"), _fk("municipality", "municipalities"))),
    TableSpec("parties", "registries", "Political parties", "Parties by country with the abbreviations minutes use.",
        (ID, _c("country", "string", "ISO 3166-1 alpha-2 code.", True), _c("abbreviation", "string", "Abbreviation.", True),
         _c("name", "string", "Full name.", True), _c("colour", "string", "Display colour, #rrggbb.", True)),
        ("id",), _party_rows),
    TableSpec("decisions", "decisions", "Decisions", "Cases decided or to be decided by councils and committees.",
        (ID, MUNICIPALITY, _c("title", "string", "Title in the document's language.", True),
         _c("lang", "string", "Language of the document's text.", True), _c("date", "date", "Main date."),
         _c("status", "string", "proposed, adopted, rejected, postponed, withdrawn or unknown.", True),
         _c("case_number", "string", "Case number in the deciding body."),
         _c("archive_number", "string", "Archive or registry number."),
         _c("deciding_body", "string", "Body with the power to decide (organisations.csv)."),
         _c("adopts", "string", "Strategies adopted, space-separated identifiers."),
         _c("summary", "string", "Editor's summary.")),
        ("id",), _decision_rows,
        (_fk("municipality", "municipalities"), _fk("deciding_body", "organisations"))),
    TableSpec("meetings", "decisions", "Meetings", "Each handling of a case in a body (OParl Consultation).",
        (_c("decision", "string", "The decision (decisions.csv).", True), _c("id", "string", "Meeting's id within the decision.", True),
         _c("number", "integer", "Order in the case's history.", True), _c("body", "string", "The body (organisations.csv).", True),
         _c("date", "date", "Meeting date."), _c("agenda_item", "string", "Item number in the meeting."),
         _c("authoritative", "boolean", "Whether this body made the binding decision.", True),
         _c("result", "string", "What the body did with the case.", True), _c("result_text", "string", "The minutes' words for the result."),
         _c("decision_text", "string", "The body's decision as worded, Markdown."),
         _c("statement", "string", "The body's statement, Markdown.")),
        ("decision", "id"), _meeting_rows,
        (_fk("decision", "decisions"), _fk("body", "organisations"))),
    TableSpec("motions", "decisions", "Motions and amendments",
        "Proposals put forward in meetings (Popolo Motion); an amendment names the motion it amends.",
        (_c("decision", "string", "The decision (decisions.csv).", True), _c("id", "string", "Motion's id within the decision.", True),
         _c("meeting", "string", "The meeting's id within the decision.", True), _c("identifier", "string", "The minutes' label."),
         _c("kind", "string", "Kind of motion.", True), _c("mover", "string", "Who moved it."),
         _c("mover_party", "string", "Mover's party (parties.csv)."),
         _c("on_behalf_of", "string", "Parties the mover spoke for, space-separated."),
         _c("supporting_parties", "string", "Parties that joined, space-separated."),
         _c("amends", "string", "Motion it concerns, an id within the decision."),
         _c("result", "string", "passed, rejected, withdrawn, not-voted or superseded."),
         _c("text", "string", "The motion's text, Markdown.", True)),
        ("decision", "id"), _motion_rows,
        (_fk("decision", "decisions"), _fk(("decision", "meeting"), "meetings", ("decision", "id")),
         _fk("mover_party", "parties"))),
    TableSpec("votes", "decisions", "Votes", "Votes held in meetings (Popolo VoteEvent).",
        (_c("decision", "string", "The decision (decisions.csv).", True), _c("meeting", "string", "Meeting's id within the decision.", True),
         _c("number", "integer", "Order within the meeting.", True), _c("id", "string", "Vote's id, if named."),
         _c("motion", "string", "Motion voted on; yes counts are for it."),
         _c("against", "string", "In an alternative vote, the motion it was put against."),
         _c("result", "string", "pass or fail, for `motion`.", True), _c("unanimous", "boolean", "Unanimous.", True),
         _c("present", "integer", "Members present, when stated."),
         _c("description", "string", "The minutes' words for the vote.", True)),
        ("decision", "meeting", "number"), _vote_rows,
        (_fk(("decision", "meeting"), "meetings", ("decision", "id")),)),
    TableSpec("vote-counts", "decisions", "Votes per party", "Counts per option and party group (Popolo Count).",
        (_c("decision", "string", "The decision.", True), _c("meeting", "string", "Meeting's id within the decision.", True),
         _c("vote", "integer", "The vote's number within the meeting.", True), _c("number", "integer", "Order within the vote.", True),
         _c("party", "string", "Party group (parties.csv); empty for a total."),
         _c("option", "string", "yes, no, abstain, absent or not-voting.", True), _c("value", "integer", "Number of votes.", True)),
        ("decision", "meeting", "vote", "number"), _vote_count_rows,
        (_fk(("decision", "meeting", "vote"), "votes", ("decision", "meeting", "number")), _fk("party", "parties"))),
    TableSpec("strategies", "strategies", "Strategies", "Strategies and plans.",
        (ID, MUNICIPALITY, _c("title", "string", "Title.", True), _c("lang", "string", "Language of the text.", True),
         _c("period_start", "integer", "First year.", True), _c("period_end", "integer", "Last year.", True),
         _c("status", "string", "draft, proposed, adopted, replaced or expired.", True),
         _c("adopted_by", "string", "Decision that adopted it (decisions.csv)."),
         _c("owner", "string", "Responsible body (organisations.csv)."), _c("overall_goal", "string", "Overall goal.")),
        ("id",), _strategy_rows,
        (_fk("municipality", "municipalities"), _fk("adopted_by", "decisions"), _fk("owner", "organisations"))),
    TableSpec("goal-areas", "strategies", "Goal areas", "Goal and focus areas of strategies.",
        (_c("strategy", "string", "The strategy.", True), _c("id", "string", "Area's id within the strategy.", True),
         _c("number", "integer", "Order in the strategy.", True), _c("label", "string", "The number the document gives it."),
         _c("title", "string", "Title.", True), _c("aim", "string", "Aim."), _c("desired_state", "string", "Desired state.")),
        ("strategy", "id"), _goal_area_rows, (_fk("strategy", "strategies"),)),
    TableSpec("indicators", "strategies", "Indicators", "Indicators of strategies with unit, direction and source.",
        (ID, _c("strategy", "string", "The strategy.", True), _c("goal_area", "string", "Goal area's id.", True),
         _c("name", "string", "Name as worded.", True), _c("unit", "string", "Unit.", True),
         _c("value_type", "string", "number, percent, fraction or text.", True),
         _c("direction", "string", "Which way is better: the editor's reading."), _c("direction_note", "string", "Why."),
         _c("source_title", "string", "Source publication."), _c("source_publisher", "string", "Publisher."),
         _c("source_year", "integer", "Year of publication."), _c("source_reference", "string", "Table code or section."),
         _c("kolada_id", "string", "Kolada KPI id."), _c("ssb_table", "string", "SSB Statbank table."),
         _c("source_footnote", "string", "Source footnote as printed.")),
        ("id",), _indicator_rows,
        (_fk("strategy", "strategies"), _fk(("strategy", "goal_area"), "goal-areas", ("strategy", "id")))),
    TableSpec("indicator-values", "strategies", "Indicator values", "Baselines, measured values and targets.",
        (_c("indicator", "string", "The indicator.", True), _c("number", "integer", "Order.", True),
         _c("series", "string", "baseline, measured or target.", True), _c("year", "integer", "Year.", True),
         _c("breakdown", "string", "Group, e.g. girls."), _c("value", "number", "The number."),
         _c("denominator", "number", "For fractions: the denominator."), _c("text", "string", "A value that is not a number."),
         _c("note", "string", "Footnote on this value.")),
        ("indicator", "number"), _indicator_value_rows, (_fk("indicator", "indicators"),)),
    TableSpec("memberships", "memberships", "Memberships", "Municipalities' memberships in networks (Popolo Membership).",
        (ID, MUNICIPALITY, _c("organisation", "string", "The network (organisations.csv).", True),
         _c("title", "string", "Title.", True), _c("programme", "string", "Programme within the network."),
         _c("start_year", "integer", "First year.", True), _c("end_year", "integer", "Last year."),
         _c("status", "string", "proposed, active, ended or declined.", True),
         _c("binding_years", "integer", "Years bound at a time."), _c("decided_by", "string", "Decision (decisions.csv).")),
        ("id",), _membership_rows,
        (_fk("municipality", "municipalities"), _fk("organisation", "organisations"), _fk("decided_by", "decisions"))),
    TableSpec("membership-fees", "memberships", "Membership fees", "Fees with currency and funding.",
        (_c("membership", "string", "The membership.", True), _c("number", "integer", "Order.", True),
         _c("amount", "number", "Amount.", True), _c("currency", "string", "ISO 4217 code.", True),
         _c("per", "string", "year, period or once.", True), _c("year", "integer", "Year the fee applies to."),
         _c("funding", "string", "How it is paid for.")),
        ("membership", "number"), _membership_fee_rows, (_fk("membership", "memberships"),)),
    TableSpec("relations", "relations", "Twin cities and networks", "Twin-city, friendship and network relations.",
        (_c("document", "string", "The source list.", True), _c("number", "integer", "Order.", True), MUNICIPALITY,
         _c("partner", "string", "Partner's name as written.", True), _c("kind", "string", "Kind of relation.", True),
         _c("country", "string", "Partner's country, ISO 3166-1 alpha-2."), _c("region", "string", "Region or state."),
         _c("since", "integer", "Year the relation began."), _c("partner_municipality", "string", "Partner in municipalities.csv."),
         _c("partner_organisation", "string", "Network in organisations.csv."), _c("goal_area", "string", "Goal area served."),
         _c("note", "string", "Note.")),
        ("document", "number"), _relation_rows,
        (_fk("municipality", "municipalities"), _fk("partner_municipality", "municipalities"),
         _fk("partner_organisation", "organisations"))),
    TableSpec("agreements", "agreements", "Cooperation agreements", "Agreements between municipalities.",
        (ID, MUNICIPALITY, _c("parties", "string", "Parties, space-separated municipality ids.", True),
         _c("title", "string", "Title.", True), _c("status", "string", "proposed, adopted, in-force or ended.", True),
         _c("start_year", "integer", "First year."), _c("decided_by", "string", "Decision (decisions.csv)."),
         _c("conditions", "string", "Conditions, separated by ' | '."), _c("economic_consequences", "string", "Economic consequences.")),
        ("id",), _agreement_rows, (_fk("municipality", "municipalities"), _fk("decided_by", "decisions"))),
    TableSpec("agreement-areas", "agreements", "Areas of cooperation", "The areas each agreement covers.",
        (_c("agreement", "string", "The agreement.", True), _c("number", "integer", "Order.", True),
         _c("title", "string", "Title.", True), _c("description", "string", "Description, Markdown.")),
        ("agreement", "number"), _agreement_area_rows, (_fk("agreement", "agreements"),)),
    TableSpec("commitments", "commitments", "Human-rights commitments", "Declarations, conventions and requests.",
        (ID, MUNICIPALITY, _c("title", "string", "Title.", True), _c("kind", "string", "Kind.", True),
         _c("status", "string", "Status.", True), _c("date", "date", "Date."),
         _c("requested_by", "string", "Institution that asked (organisations.csv)."),
         _c("conventions", "string", "Conventions, space-separated ids."), _c("fra_elements", "string", "FRA framework elements.")),
        ("id",), _commitment_rows, (_fk("municipality", "municipalities"), _fk("requested_by", "organisations"))),
)  # fmt: skip
"""Every table, in the order the data package lists them."""

_PYTHON_TYPES: dict[ColumnType, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "date": (dt.date,),
    "boolean": (bool,),
}


def _fits(value: Any, kind: ColumnType) -> bool:
    if value is None:
        return True
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    if kind == "date" and isinstance(value, dt.datetime):
        return False
    return isinstance(value, _PYTHON_TYPES[kind])


_EXACT_TYPES: dict[ColumnType, frozenset[type]] = {
    "string": frozenset({str}),
    "integer": frozenset({int}),
    "number": frozenset({int, float}),
    "date": frozenset({dt.date}),
    "boolean": frozenset({bool}),
}
"""Types that fit a column as they are; anything else (None, a subclass) is checked by `_fits`."""


def build_tables(site: Site, diagnostics: Diagnostics) -> list[Table]:
    """Every table with its rows; a value that does not fit its column's type is a diagnostic."""
    tables = []
    for spec in TABLES:
        table = Table(spec)
        checks = [(column, _EXACT_TYPES[column.type]) for column in spec.columns]
        for row in spec.rows(site):
            assert len(row.values) == len(spec.columns), spec.name
            for (column, exact), value in zip(checks, row.values, strict=True):
                if type(value) in exact:
                    continue
                if not _fits(value, column.type):
                    line, col = row.origin.position()
                    diagnostics.error(
                        row.origin.path, line, col,
                        f"{spec.name}.csv: the value {value!r} does not fit column '{column.name}' ({column.type})",
                        "correct the value's type in the source",
                    )  # fmt: skip
                elif column.required and value is None:
                    line, col = row.origin.position()
                    diagnostics.error(
                        row.origin.path, line, col, f"{spec.name}.csv: column '{column.name}' needs a value"
                    )
            table.rows.append(row)
        tables.append(table)
    return tables
