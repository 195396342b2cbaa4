"""Chart specs: model objects in, Vega-Lite specs out, one language at a time.

The only module that imports Altair. Each chart also carries what a reader
without the picture needs: a title, a sentence that states what it shows with
the real numbers, and the table of its data.

Charts are drawn on a white panel in light and dark mode alike, so every colour
here keeps 3:1 contrast against one known background; marks are also told apart
by labels or shapes, never by colour alone.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

from babel.dates import get_day_names, get_month_names

from . import urls
from .graph import IndicatorRef, Site, document_year
from .i18n import Strings
from .model import ContentDocument
from .models.documents import DataPoint, Decision, Indicator, Membership, Relations, Strategy
from .progress import measured_values, strategy_statuses


class _LazyAltair:
    """Altair, imported at the first use of one of its names: a site without charts never pays for the
    import (about half a second, most of a small site's build)."""

    def __getattr__(self, name: str) -> Any:
        global alt
        import altair

        alt = altair
        if _building.depth:
            # Imported by a chart that is being built: it is built as quickly as every later chart.
            _quick_altair()
        return getattr(altair, name)


if TYPE_CHECKING:
    import altair as alt
else:
    alt = _LazyAltair()


BACKGROUND = "#ffffff"
INK = "#1a1a1a"
MUTED = "#595959"
GRID = "#d9d9d9"
FONT = "'Source Sans 3', sans-serif"
"""The theme's chart font: registered with vl-convert and served to browsers, so text is measured as shown.
Quoted, because a family name ending in a digit is not a valid bare CSS identifier."""

# Okabe–Ito hues darkened until each keeps at least 3:1 against the white panel.
PALETTE = ("#0b5fa5", "#b3470a", "#127a5b", "#a0357a", "#6b5a00", "#4f4f9e", "#8a1c1c", "#2d6b2d")
STATUS_COLOURS = {"on-track": "#127a5b", "off-track": "#a61c1c", "no-data": "#595959"}

WIDTH = 560
"""Plot width in pixels; the SVG scales down to narrow screens from its viewBox."""
STRATEGY_PLOT = 260
NUMBER_FORMAT = ",.2~f"
"""Axis numbers: grouped thousands, at most two decimals, no trailing zeros (per the page's locale)."""

ColumnType = Literal["string", "integer", "number", "date"]


@dataclass(frozen=True)
class ChartColumn:
    """One column of a chart's data table: a machine name for the CSV, a label for the page."""

    name: str
    label: str
    type: ColumnType = "string"


@dataclass(frozen=True)
class Chart:
    """A chart in one language, ready to render."""

    id: str
    """Unique within its language; names the chart's files."""
    lang: str
    title: str
    description: str
    """What the chart shows, in words, with the numbers."""
    spec: dict[str, Any]
    """The Vega-Lite spec, data inline."""
    columns: tuple[ChartColumn, ...]
    rows: tuple[tuple[Any, ...], ...]
    """The data table, raw values per column."""
    notes: tuple[str, ...] = ()
    """Footnotes on single values, numbered ¹ ² … in the chart and the table."""
    source: str | None = None
    """Where the numbers come from, for the caption and the embed page."""
    content_lang: str | None = None
    """The language of names taken from content (indicator names, partner names), if not the UI's."""
    title_lang: str | None = None
    """The title's language when the title is a name from content."""
    method: str | None = None
    """How the numbers shown were computed, where the chart computes anything."""


# --- colours ---------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def legible(colour: str | None, fallback: str, minimum: float = 3.0) -> str:
    """`colour` darkened just enough to keep `minimum` contrast on the white panel."""
    if not colour or len(colour) != 7:
        return fallback
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    while contrast(f"#{red:02x}{green:02x}{blue:02x}", BACKGROUND) < minimum:
        red, green, blue = (int(c * 0.9) for c in (red, green, blue))
    return f"#{red:02x}{green:02x}{blue:02x}"


# --- locale ----------------------------------------------------------------------


def number_locale(t: Strings) -> dict[str, Any]:
    """d3-format locale from babel (vl-convert has none for nb)."""
    symbols = t.locale.number_symbols.get("latn", t.locale.number_symbols)
    group = symbols.get("group", ",")
    return {
        "decimal": symbols.get("decimal", "."),
        "thousands": "\u00a0" if group in ("\u202f", " ") else group,
        "grouping": [3],
        "currency": ["", ""],
        "minus": "−",
    }


def time_locale(t: Strings) -> dict[str, Any]:
    """d3-time-format locale from babel, so month names on time axes are in the page's language."""
    locale = t.locale
    days = get_day_names("wide", locale=locale)
    short_days = get_day_names("abbreviated", locale=locale)
    months = get_month_names("wide", locale=locale)
    short_months = get_month_names("abbreviated", locale=locale)
    # babel numbers weekdays from Monday (0); d3 starts the week on Sunday.
    order = [6, 0, 1, 2, 3, 4, 5]
    return {
        "dateTime": "%A %e %B %Y kl. %X" if t.lang in ("nb", "nn", "da") else "%A %e %B %Y %X",
        "date": "%d.%m.%Y" if t.lang in ("nb", "nn", "da", "fi") else "%Y-%m-%d" if t.lang == "sv" else "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [str(days[i]) for i in order],
        "shortDays": [str(short_days[i]) for i in order],
        "months": [str(months[i]) for i in range(1, 13)],
        "shortMonths": [str(short_months[i]).rstrip(".") for i in range(1, 13)],
    }


def _config(t: Strings) -> dict[str, Any]:
    return {
        "font": FONT,
        "background": BACKGROUND,
        "aria": False,
        "locale": {"number": number_locale(t), "time": time_locale(t)},
        "view": {"stroke": None},
        "axis": {
            "labelColor": INK,
            "titleColor": INK,
            "labelFontSize": 13,
            "titleFontSize": 13,
            "titleFontWeight": "normal",
            "gridColor": GRID,
            "domainColor": MUTED,
            "tickColor": MUTED,
            "labelLimit": 260,
        },
        "legend": {"labelColor": INK, "titleColor": INK, "labelFontSize": 13, "titleFontSize": 13, "titleFontWeight": "normal"},
        "header": {"labelColor": INK, "titleColor": INK, "labelFontSize": 13, "titleFontSize": 13, "labelFontWeight": "normal", "labelLimit": 600},
        "text": {"color": INK, "fontSize": 13},
        "title": {"color": INK},
    }  # fmt: skip


_P = ParamSpec("_P")
_R = TypeVar("_R")


class _Building:
    """How many chart builds are under way (they nest), and Altair's debug mode and `_todict` from before
    the first."""

    depth = 0
    saved: tuple[bool, Callable[..., Any]] | None = None


_building = _Building()
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _quick_altair() -> None:
    """Altair set to build specs from known-good parts quickly (see _unvalidated), until `_altair_restored`.

    Altair's `_todict` returns a plain value (a string, a number) unchanged, but only after checking it
    against its runtime protocol SchemaLike, which looks up each of the protocol's members on the value:
    that check was a third of building a spec. Plain values are returned first here, as they are.
    """
    if _building.saved is not None:  # already set (Altair was imported by the build under way)
        return
    from altair.utils import schemapi

    todict = schemapi._todict

    def plain_first(value: Any, *args: Any, **kwargs: Any) -> Any:
        return value if type(value) in _PLAIN else todict(value, *args, **kwargs)

    _building.saved = (schemapi.DEBUG_MODE, todict)
    schemapi.DEBUG_MODE = False
    # Altair's own recursion looks it up by this name; any signature of it (Altair 5.4 to 6) is passed on.
    schemapi._todict = plain_first  # type: ignore[assignment]


def _altair_restored() -> None:
    if _building.saved is None:  # Altair was not used (and perhaps not imported): nothing to put back
        return
    from altair.utils import schemapi

    schemapi.DEBUG_MODE, schemapi._todict = _building.saved
    _building.saved = None


def _unvalidated(build: Callable[_P, _R]) -> Callable[_P, _R]:
    """`build` with Altair's debug mode off, and plain values serialised at once (see _quick_altair).

    In debug mode (Altair's default) every schema object validates itself against the JSON schema when it is
    created, which made building a spec cost 10× more than the spec's few dozen objects warrant. The objects
    here are built from known-good parts, and the rendered specs are checked by the tests and by vl-convert.
    Most calls find nothing to draw and return before using Altair, so they do not import it to turn
    validation off: the first use of Altair inside a build does (see _LazyAltair).
    """

    @functools.wraps(build)
    def unvalidated(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if _building.depth == 0 and "altair" in sys.modules:
            _quick_altair()
        _building.depth += 1
        try:
            return build(*args, **kwargs)
        finally:
            _building.depth -= 1
            if _building.depth == 0:
                _altair_restored()

    return unvalidated


@dataclass
class _Datasets:
    """The rows behind one chart's named datasets, which join the spec's top-level `datasets` at the end.

    Layers name their data instead of carrying it, so rows shared by two layers appear once in the spec.
    """

    rows: dict[str, Any] = field(default_factory=dict)

    def named(self, rows: Any, format: alt.DataFormat | None = None) -> alt.NamedData:
        values = rows if isinstance(rows, dict) else list(rows)
        name = (
            "data-" + hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
        )
        self.rows[name] = values
        return alt.NamedData(name=name, format=alt.Undefined if format is None else format)


def _unit(mark: alt.MarkDef, data: alt.NamedData | None = None, **channels: Any) -> alt.UnitSpec:
    """One layer: a mark with its encoding channels (Altair channel objects, field and type spelled out).

    Built as schema objects rather than with `Chart().mark_*().encode()`: each of those steps deep-copies
    the chart and parses shorthand strings through the JSON schema, which cost more than drawing the chart.
    """
    return alt.UnitSpec(
        mark=mark,
        encoding=alt.Encoding(**channels) if channels else alt.Undefined,
        data=alt.Undefined if data is None else data,
    )


def _spec(
    chart: alt.TopLevelLayerSpec | alt.TopLevelFacetSpec,
    datasets: _Datasets,
    t: Strings,
    title: str,
    description: str,
    **extra: Any,
) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict(validate=False)
    # What Altair's top-level charts add on their own; its default theme's config is replaced below anyway.
    spec["$schema"] = alt.SCHEMA_URL
    spec.update(extra)
    if datasets.rows:
        spec["datasets"] = {name: datasets.rows[name] for name in sorted(datasets.rows)}
    spec["config"] = _config(t)
    spec["description"] = description
    spec["usermeta"] = {"title": title}
    # A fixed key order keeps the spec's hash (the render cache key) and the output bytes stable; the round
    # trip also gives every chart its own copy of the shared config.
    ordered: dict[str, Any] = json.loads(json.dumps(spec, sort_keys=True))
    return ordered


SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹"


def _mark(index: int) -> str:
    """The footnote mark for note number `index` (0-based): ¹ … ⁹, then [10], [11] …"""
    return SUPERSCRIPTS[index] if index < len(SUPERSCRIPTS) else f"[{index + 1}]"


# --- indicators --------------------------------------------------------------------


def _value_text(t: Strings, point: DataPoint, indicator: Indicator) -> str:
    if point.value is None:
        return point.text or ""
    text = t.number(point.value)
    if indicator.value_type == "percent":
        return f"{text} %"
    if indicator.value_type == "fraction" and point.denominator is not None:
        return t("chart.fraction", value=text, of=t.number(point.denominator))
    return text


@_unvalidated
def indicator_chart(ref: IndicatorRef, measured: list[DataPoint], t: Strings) -> Chart | None:
    """Baseline → measured values → target, one line per breakdown, the target year marked."""
    indicator = ref.indicator
    chart_id = f"indicator-{indicator.id}"
    labels = {b.id: b.label for b in indicator.breakdowns}
    kinds = [("baseline", indicator.baseline), ("measured", measured), ("target", indicator.target)]
    notes: list[str] = []
    table: list[tuple[Any, ...]] = []
    points: list[dict[str, Any]] = []
    for kind, series in kinds:
        for point in sorted(series, key=lambda p: (p.year, p.breakdown or "")):
            mark = ""
            if point.note:
                mark = _mark(len(notes))
                notes.append(point.note)
            series_label = labels.get(point.breakdown or "", indicator.name if not labels else "")
            table.append((t(f"indicator.{kind}"), point.year, series_label, point.value, point.text, point.note))
            if point.value is not None:
                points.append({
                    "year": point.year, "value": point.value, "kind": t(f"indicator.{kind}"),
                    "series": series_label, "label": _value_text(t, point, indicator) + mark,
                    "note": point.note or "",
                })  # fmt: skip
    columns = (
        ChartColumn("kind", t("indicator.kind")),
        ChartColumn("year", t("field.year"), "integer"),
        ChartColumn("breakdown", t("indicator.breakdown")),
        ChartColumn("value", f"{t('indicator.value')} ({indicator.unit})", "number"),
        ChartColumn("text", t("chart.column.text")),
        ChartColumn("note", t("indicator.note")),
    )
    description = _indicator_description(indicator, measured, t, labels)
    source = _indicator_source(ref)
    if not points:
        return None
    actual_kinds = {t("indicator.baseline"), t("indicator.measured")}
    target_kind = t("indicator.target")
    lines: list[dict[str, Any]] = []
    for series_label in dict.fromkeys(p["series"] for p in points):
        own = [p for p in points if p["series"] == series_label]
        actual = [p for p in own if p["kind"] in actual_kinds]
        targets = [p for p in own if p["kind"] == target_kind]
        lines.extend({**p, "segment": "actual"} for p in actual)
        if actual and targets:
            lines.extend({**p, "segment": "planned"} for p in (actual[-1], targets[-1]))
    years = [p["year"] for p in points]
    data = _Datasets()
    x = alt.X(field="year", type="quantitative", title=t("field.year"),
              scale=alt.Scale(domain=[min(years) - 1, max(years) + 1], nice=False),
              axis=alt.Axis(format="d", tickMinStep=1, grid=False))  # fmt: skip
    y = alt.Y(field="value", type="quantitative", title=indicator.unit, scale=alt.Scale(zero=True),
              axis=alt.Axis(format=NUMBER_FORMAT))  # fmt: skip
    series_colour = alt.Color(field="series", type="nominal", title=t("indicator.breakdown"),
                              scale=alt.Scale(range=list(PALETTE)), legend=None if not labels else alt.Legend(orient="bottom"))  # fmt: skip
    tooltip = [alt.Tooltip(field="kind", type="nominal", title=t("indicator.kind")),
               alt.Tooltip(field="year", type="quantitative", title=t("field.year"), format="d"),
               alt.Tooltip(field="label", type="nominal", title=t("indicator.value")),
               alt.Tooltip(field="note", type="nominal", title=t("indicator.note"))]  # fmt: skip
    label = alt.Text(field="label", type="nominal")
    layers: list[alt.UnitSpec] = []
    if lines:
        layers.append(
            _unit(alt.MarkDef(type="line", strokeWidth=2), data.named(lines),
                  x=x, y=y, color=series_colour,
                  strokeDash=alt.StrokeDash(field="segment", type="nominal", legend=None,
                                            scale=alt.Scale(domain=["actual", "planned"], range=[[1, 0], [6, 4]])),
                  detail=alt.Detail(field="segment", type="nominal"))
        )  # fmt: skip
    layers.append(
        _unit(alt.MarkDef(type="point", size=90, filled=True, opacity=1), data.named(points),
              x=x, y=y, color=series_colour, tooltip=tooltip,
              shape=alt.Shape(field="kind", type="nominal", title=t("indicator.kind"),
                              scale=alt.Scale(domain=[t(f"indicator.{k}") for k, _ in kinds], range=["circle", "square", "diamond"]),
                              legend=alt.Legend(orient="bottom")))
    )  # fmt: skip
    layers.append(_unit(alt.MarkDef(type="text", align="left", dx=8, dy=-8), data.named(points), x=x, y=y, text=label))
    target_years = sorted({p.year for p in indicator.target})
    if target_years:
        rules = [{"year": year, "label": t("chart.target_year", year=year)} for year in target_years]
        layers.append(_unit(alt.MarkDef(type="rule", strokeDash=[2, 3], color=MUTED), data.named(rules), x=x))
        layers.append(
            _unit(alt.MarkDef(type="text", align="right", baseline="bottom", dx=-4, dy=-4, color=MUTED), data.named(rules),
                  x=x, y=alt.value(260), text=label)
        )  # fmt: skip
    chart = alt.TopLevelLayerSpec(layer=layers, width=WIDTH, height=260)
    return Chart(chart_id, t.lang, indicator.name, description, _spec(chart, data, t, indicator.name, description), columns,
                 tuple(table), tuple(notes), source, ref.strategy.model.lang, ref.strategy.model.lang)  # fmt: skip


def _indicator_source(ref: IndicatorRef) -> str | None:
    source = ref.indicator.source
    if source is None:
        return None
    return source.footnote or ", ".join(str(part) for part in (source.publisher, source.title, source.year) if part)


def _indicator_description(indicator: Indicator, measured: list[DataPoint], t: Strings, labels: dict[str, str]) -> str:
    keys: list[str | None] = list(labels) or [None]
    parts = []
    for key in keys:
        pieces = []
        for kind, series in (("baseline", indicator.baseline), ("measured", measured), ("target", indicator.target)):
            own = sorted((p for p in series if p.breakdown == key), key=lambda p: p.year)
            if own:
                values = ", ".join(
                    t("chart.value_in_year", value=_value_text(t, p, indicator), year=p.year) for p in own
                )
                pieces.append(f"{t(f'indicator.{kind}').lower()} {values}")
        if not any(p.breakdown == key for p in indicator.baseline):
            pieces.append(t("chart.no_baseline"))
        if not any(p.breakdown == key for p in indicator.target):
            pieces.append(t("chart.no_target"))
        prefix = f"{labels[key]}: " if key is not None else ""
        parts.append(prefix + "; ".join(pieces))
    return f"{indicator.name} ({indicator.unit}): " + ". ".join(parts) + "."


# --- strategies --------------------------------------------------------------------


def _change(baseline: float, value: float) -> float | None:
    return (value - baseline) / abs(baseline) * 100 if baseline else None


@_unvalidated
def strategy_chart(site: Site, strategy: ContentDocument, t: Strings) -> Chart | None:
    """Each indicator's distance from baseline to target (and measured progress), grouped by focus area."""
    model = strategy.model
    assert isinstance(model, Strategy)
    statuses = strategy_statuses(site, strategy)
    if not statuses:
        return None
    rows: list[dict[str, Any]] = []
    table: list[tuple[Any, ...]] = []
    for item in statuses:
        indicator = item.ref.indicator
        labels = {b.id: b.label for b in indicator.breakdowns}
        for progress in item.progress:
            # The breakdown first, so it survives when a long name is cut short on the axis.
            name = (f"{labels[progress.breakdown]}: " if progress.breakdown else "") + indicator.name
            status_label = t(f"status.{progress.status}")
            base, target, latest = progress.baseline, progress.target, progress.latest
            needed = (
                _change(base.value, target.value)
                if base and target and base.value is not None and target.value is not None
                else None
            )
            reached = (
                _change(base.value, latest.value)
                if base and latest and base.value is not None and latest.value is not None
                else None
            )
            table.append((item.ref.goal_area.title, name, base.value if base else None, target.value if target else None,
                          latest.value if latest else None, needed, reached, status_label))  # fmt: skip
            rows.append({
                "area": item.ref.goal_area.title, "indicator": name, "needed": needed, "reached": reached,
                "status": status_label, "zero": 0,
                "label": (t("chart.change", value=t.number(needed, 0)) if needed is not None else t("chart.no_numbers")) + f" · {status_label}",
            })  # fmt: skip
    columns = (
        ChartColumn("goal_area", t("chart.column.area")),
        ChartColumn("indicator", t("indicator.name")),
        ChartColumn("baseline", t("indicator.baseline"), "number"),
        ChartColumn("target", t("indicator.target"), "number"),
        ChartColumn("latest", t("chart.column.latest"), "number"),
        ChartColumn("needed_change_percent", t("chart.column.needed"), "number"),
        ChartColumn("measured_change_percent", t("chart.column.reached"), "number"),
        ChartColumn("status", t("chart.column.status")),
    )
    counts = Counter(row[-1] for row in table)
    title = t("chart.strategy.title")
    description = t("chart.strategy.description", count=len(table),
                    statuses=", ".join(f"{label}: {n}" for label, n in sorted(counts.items())))  # fmt: skip
    x = alt.X(field="needed", type="quantitative", title=t("chart.axis.change"), axis=alt.Axis(format=NUMBER_FORMAT))
    y = alt.Y(field="indicator", type="nominal", title=None, sort=None, axis=alt.Axis(labelLimit=240))
    status_colour = alt.Color(field="status", type="nominal", title=t("chart.column.status"),
                              scale=alt.Scale(domain=[t(f"status.{s}") for s in STATUS_COLOURS], range=list(STATUS_COLOURS.values())),
                              legend=alt.Legend(orient="bottom"))  # fmt: skip
    bars = _unit(
        alt.MarkDef(type="bar", height=10, color="#9db8d6", stroke="#0b5fa5"), x=x, x2=alt.X2(field="zero"), y=y
    )
    measured = _unit(alt.MarkDef(type="point", shape="diamond", size=110, filled=True),
                     x=alt.X(field="reached", type="quantitative"), y=y, color=status_colour)  # fmt: skip
    # Words beside the plot, not on it: the status is read, not decoded from a colour.
    words = _unit(alt.MarkDef(type="text", align="left"), x=alt.value(STRATEGY_PLOT + 12), y=y,
                  text=alt.Text(field="label", type="nominal"))  # fmt: skip
    # Faceted layers need their data on the facet, not on the layer.
    data = _Datasets()
    spec_chart = alt.TopLevelFacetSpec(data=data.named(rows), spec=alt.LayerSpec(layer=[bars, measured, words], width=STRATEGY_PLOT, height=alt.Step(26)),
                                       facet=alt.FacetFieldDef(field="area", type="nominal", title=None, sort=None,
                                                               header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top")),
                                       columns=1, resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")))  # fmt: skip
    return Chart(f"strategy-{strategy.id}", t.lang, title, description, _spec(spec_chart, data, t, title, description), columns,
                 tuple(table), (), None, model.lang, method=t("chart.strategy.method"))  # fmt: skip


# --- decisions ---------------------------------------------------------------------

OPTION_ORDER = ("yes", "no", "abstain", "absent", "not-voting")


@_unvalidated
def vote_charts(site: Site, decision: ContentDocument, t: Strings) -> list[Chart]:
    """One chart per vote that has counts: votes per option and party."""
    model = decision.model
    assert isinstance(model, Decision)
    charts = []
    number = 0
    for consultation in model.consultations:
        for vote in consultation.votes:
            if not vote.counts:
                continue
            number += 1
            parties = site.registries.parties
            rows: list[dict[str, Any]] = []
            for count in vote.counts:
                party = parties[count.party].value if count.party and count.party in parties else None
                rows.append({
                    "option": t(f"option.{count.option}"), "party": party.abbreviation if party else t("chart.all_parties"),
                    "count": count.value, "colour": legible(party.colour if party else None, PALETTE[0]),
                })  # fmt: skip
            totals = Counter[str]()
            for count in vote.counts:
                totals[count.option] += count.value
            body = site.registries.organisations.get(consultation.body)
            body_name = body.value.name_in(t.lang) if body else consultation.body
            title = t("chart.votes.title", body=body_name, date=t.date(consultation.date) if consultation.date else "")
            summary = "; ".join(
                f"{t(f'option.{option}')}: {totals[option]}"
                + (" (" + ", ".join(f"{r['party']} {r['count']}" for r in rows if r["option"] == t(f"option.{option}") and r["party"] != t("chart.all_parties")) + ")"
                   if any(r["option"] == t(f"option.{option}") and r["party"] != t("chart.all_parties") for r in rows) else "")
                for option in OPTION_ORDER if option in totals
            )  # fmt: skip
            missing = [t(f"option.{o}") for o in ("yes", "no") if o not in totals]
            description = t("chart.votes.description", vote=vote.description, counts=summary)
            if missing:
                description += " " + t("chart.votes.missing", options=", ".join(missing))
            if vote.present is not None:
                description += " " + t("chart.votes.present", present=vote.present)
            options = [t(f"option.{o}") for o in OPTION_ORDER if o in totals]
            y = alt.Y(field="party", type="nominal", title=t("chart.axis.party"), sort=None)
            x = alt.X(
                field="count",
                type="quantitative",
                title=t("chart.axis.votes"),
                axis=alt.Axis(format="d", tickMinStep=1),
            )
            bars = _unit(alt.MarkDef(type="bar"), x=x, y=y, color=alt.Color(field="colour", type="nominal", scale=None))
            text = _unit(
                alt.MarkDef(type="text", align="left", dx=4),
                x=x,
                y=y,
                text=alt.Text(field="count", type="quantitative"),
            )
            data = _Datasets()
            chart = alt.TopLevelFacetSpec(
                data=data.named(rows), spec=alt.LayerSpec(layer=[bars, text], width=220, height=alt.Step(24)),
                facet=alt.FacetFieldDef(field="option", type="nominal", title=None, sort=options,
                                        header=alt.Header(labelFontWeight="bold")),
                columns=len(options),
            )  # fmt: skip
            columns = (ChartColumn("option", t("chart.column.option")), ChartColumn("party", t("chart.axis.party")),
                       ChartColumn("votes", t("chart.axis.votes"), "integer"))  # fmt: skip
            table = tuple((r["option"], r["party"], r["count"]) for r in rows)
            charts.append(Chart(f"decision-{decision.id}-vote-{number}", t.lang, title, description,
                                _spec(chart, data, t, title, description), columns, table, (), None, model.lang))  # fmt: skip
    return charts


@_unvalidated
def journey_chart(site: Site, decision: ContentDocument, t: Strings) -> Chart | None:
    """The case's meetings on a time axis: body, date, result."""
    model = decision.model
    assert isinstance(model, Decision)
    dated = [c for c in model.consultations if c.date is not None]
    if len(dated) < 2:
        return None
    rows: list[dict[str, Any]] = []
    for consultation in sorted(dated, key=lambda c: (c.date or dt.date.min, c.id)):
        assert consultation.date is not None
        body = site.registries.organisations.get(consultation.body)
        rows.append({
            "date": consultation.date.isoformat(), "body": body.value.name_in(t.lang) if body else consultation.body,
            "result": t(f"result.{consultation.result}"), "date_text": t.date(consultation.date),
        })  # fmt: skip
    title = t("chart.journey.title")
    description = t("chart.journey.description", count=len(rows),
                    meetings="; ".join(f"{r['body']}, {r['date_text']}: {r['result']}" for r in rows))  # fmt: skip
    x = alt.X(field="date", type="temporal", title=t("field.date"),
              axis=alt.Axis(format="%e %b %Y", labelAngle=0, tickCount=4))  # fmt: skip
    y = alt.Y(field="body", type="nominal", title=None, sort=[r["body"] for r in rows])
    points = _unit(alt.MarkDef(type="point", filled=True, size=100, color=PALETTE[0]), x=x, y=y,
                   shape=alt.Shape(field="result", type="nominal", title=t("field.result"), legend=alt.Legend(orient="bottom")),
                   tooltip=[alt.Tooltip(field="body", type="nominal", title=t("field.body")),
                            alt.Tooltip(field="date_text", type="nominal", title=t("field.date")),
                            alt.Tooltip(field="result", type="nominal", title=t("field.result"))])  # fmt: skip
    path = _unit(alt.MarkDef(type="line", color=MUTED, strokeDash=[2, 2]), x=x, y=y,
                 order=alt.Order(field="date", type="temporal"))  # fmt: skip
    labels = _unit(alt.MarkDef(type="text", align="left", dx=8, color=INK), x=x, y=y,
                   text=alt.Text(field="result", type="nominal"))  # fmt: skip
    data = _Datasets()
    chart = alt.TopLevelLayerSpec(layer=[path, points, labels], data=data.named(rows), width=WIDTH, height=alt.Step(30))
    columns = (ChartColumn("date", t("field.date"), "date"), ChartColumn("body", t("field.body")),
               ChartColumn("result", t("field.result")))  # fmt: skip
    table = tuple((dt.date.fromisoformat(r["date"]), r["body"], r["result"]) for r in rows)
    return Chart(f"decision-{decision.id}-journey", t.lang, title, description, _spec(chart, data, t, title, description),
                 columns, table, (), None, model.lang)  # fmt: skip


# --- memberships -------------------------------------------------------------------


@_unvalidated
def fee_chart(membership: ContentDocument, t: Strings) -> Chart | None:
    """The fee per year over the membership's period, in its currency."""
    model = membership.model
    assert isinstance(model, Membership)
    if not model.fees:
        return None
    last = model.end_year or (model.start_year + model.binding_years - 1 if model.binding_years else model.start_year)
    rows: list[dict[str, Any]] = []
    for fee in model.fees:
        if fee.per == "year":
            years = [fee.year] if fee.year is not None else list(range(model.start_year, last + 1))
        else:
            years = [fee.year or model.start_year]
        for year in years:
            rows.append({"year": str(year), "amount": fee.amount, "currency": fee.currency,
                         "label": t.money(fee.amount, fee.currency), "per": t(f"per.{fee.per}")})  # fmt: skip
    rows.sort(key=lambda r: r["year"])
    currencies = sorted({r["currency"] for r in rows})
    title = t("chart.fees.title")
    description = t("chart.fees.description",
                    fees="; ".join(f"{r['year']}: {r['label']} ({r['per']})" for r in rows))  # fmt: skip
    x = alt.X(field="year", type="ordinal", title=t("field.year"), axis=alt.Axis(labelAngle=0))
    y = alt.Y(field="amount", type="quantitative", title=t("chart.axis.amount", currency="/".join(currencies)),
              axis=alt.Axis(format=NUMBER_FORMAT))  # fmt: skip
    bars = _unit(alt.MarkDef(type="bar", color=PALETTE[0], size=36), x=x, y=y)
    labels = _unit(alt.MarkDef(type="text", dy=-8), x=x, y=y, text=alt.Text(field="label", type="nominal"))
    data = _Datasets()
    chart = alt.TopLevelLayerSpec(layer=[bars, labels], data=data.named(rows), width=WIDTH, height=220)
    columns = (ChartColumn("year", t("field.year"), "integer"), ChartColumn("amount", t("chart.column.amount"), "number"),
               ChartColumn("currency", t("chart.column.currency")), ChartColumn("per", t("chart.column.per")))  # fmt: skip
    table = tuple((int(r["year"]), r["amount"], r["currency"], r["per"]) for r in rows)
    return Chart(f"membership-{membership.id}-fees", t.lang, title, description, _spec(chart, data, t, title, description),
                 columns, table, (), None, model.lang)  # fmt: skip


# --- municipalities and organisations ----------------------------------------------


@_unvalidated
def relations_chart(site: Site, municipality_id: str, t: Strings) -> Chart | None:
    """A municipality's twin cities and networks on a time axis, by the year each began."""
    documents = [
        d for d in site.by_municipality.get(municipality_id, [])
        if d.type == "relations" and d.municipality == municipality_id
    ]  # fmt: skip
    rows: list[dict[str, Any]] = []
    undated = 0
    content_lang = None
    for document in documents:
        model = document.model
        assert isinstance(model, Relations)
        content_lang = model.lang
        for relation in model.relations:
            if relation.since is None:
                undated += 1
                continue
            rows.append({"partner": relation.partner, "since": relation.since, "kind": t(f"relation.{relation.kind}"),
                         "country": t.country(relation.country)})  # fmt: skip
    if not rows:
        return None
    rows.sort(key=lambda r: (r["since"], r["partner"]))
    name = site.registries.municipalities[municipality_id].value.name_in(t.lang)
    title = t("chart.relations.title", municipality=name)
    description = t("chart.relations.description", municipality=name, count=len(rows),
                    relations="; ".join(f"{r['partner']} ({r['kind']}) {r['since']}" for r in rows))  # fmt: skip
    if undated:
        description += " " + t("chart.relations.undated", count=undated)
    years = [r["since"] for r in rows]
    x = alt.X(field="since", type="quantitative", title=t("chart.axis.since"),
              scale=alt.Scale(domain=[min(years) - 2, max(years) + 2], nice=False),
              axis=alt.Axis(format="d", tickMinStep=1))  # fmt: skip
    y = alt.Y(field="partner", type="nominal", title=None, sort=[r["partner"] for r in rows])
    points = _unit(
        alt.MarkDef(type="point", filled=True, size=90),
        x=x,
        y=y,
        shape=alt.Shape(field="kind", type="nominal", title=t("chart.column.kind"), legend=alt.Legend(orient="bottom")),
        color=alt.Color(field="kind", type="nominal", scale=alt.Scale(range=list(PALETTE)), legend=None),
    )
    labels = _unit(
        alt.MarkDef(type="text", align="left", dx=8), x=x, y=y, text=alt.Text(field="since", type="quantitative")
    )
    data = _Datasets()
    chart = alt.TopLevelLayerSpec(layer=[points, labels], data=data.named(rows), width=WIDTH, height=alt.Step(22))
    columns = (ChartColumn("partner", t("chart.column.partner")), ChartColumn("country", t("chart.column.country")),
               ChartColumn("kind", t("chart.column.kind")), ChartColumn("since", t("chart.axis.since"), "integer"))  # fmt: skip
    table = tuple((r["partner"], r["country"], r["kind"], r["since"]) for r in rows)
    return Chart(f"municipality-{municipality_id}-relations", t.lang, title, description,
                 _spec(chart, data, t, title, description), columns, table, (), None, content_lang)  # fmt: skip


def _members(site: Site, organisation_id: str) -> list[tuple[str, str, str | None, tuple[float, float] | None]]:
    """(municipality id, name, country, (lon, lat)) for each member municipality."""
    found: list[tuple[str, str, str | None, tuple[float, float] | None]] = []
    for member in site.registries.organisations[organisation_id].value.members:
        if not member.municipality or member.municipality not in site.registries.municipalities:
            continue
        municipality = site.registries.municipalities[member.municipality].value
        place = (municipality.coordinates.lon, municipality.coordinates.lat) if municipality.coordinates else None
        found.append((member.municipality, municipality.name, municipality.country, place))
    return found


@_unvalidated
def members_chart(site: Site, organisation_id: str, t: Strings) -> Chart | None:
    """A network's member municipalities counted by country."""
    members = _members(site, organisation_id)
    if not members:
        return None
    counts = Counter(t.country(country) for _, _, country, _ in members)
    rows: list[dict[str, Any]] = [
        {"country": country, "members": n} for country, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    name = site.registries.organisations[organisation_id].value.name_in(t.lang)
    title = t("chart.members.title", organisation=name)
    description = t("chart.members.description", organisation=name, count=len(members),
                    countries="; ".join(f"{r['country']} {r['members']}" for r in rows))  # fmt: skip
    y = alt.Y(field="country", type="nominal", title=None, sort=None)
    x = alt.X(
        field="members", type="quantitative", title=t("chart.axis.members"), axis=alt.Axis(format="d", tickMinStep=1)
    )
    bars = _unit(alt.MarkDef(type="bar", color=PALETTE[0]), x=x, y=y)
    labels = _unit(
        alt.MarkDef(type="text", align="left", dx=4), x=x, y=y, text=alt.Text(field="members", type="quantitative")
    )
    data = _Datasets()
    chart = alt.TopLevelLayerSpec(layer=[bars, labels], data=data.named(rows), width=WIDTH, height=alt.Step(26))
    columns = (
        ChartColumn("country", t("chart.column.country")),
        ChartColumn("members", t("chart.axis.members"), "integer"),
    )
    table = tuple((r["country"], r["members"]) for r in rows)
    return Chart(f"organisation-{organisation_id}-members", t.lang, title, description,
                 _spec(chart, data, t, title, description), columns, table)  # fmt: skip


Atlas = Callable[[], dict[str, Any]]
"""The basemap (a TopoJSON world atlas), parsed when a map first needs it: most sites' pages draw none, and
parsing it takes 0.05 s."""


def countries_within(atlas: dict[str, Any], box: tuple[float, float, float, float]) -> dict[str, Any]:
    """The basemap cut down to the countries that reach into `box` (west, south, east, north), with only
    their arcs: drawing the whole world for a Nordic map cost most of a map's drawing time."""
    scale_x, scale_y = atlas["transform"]["scale"]
    shift_x, shift_y = atlas["transform"]["translate"]
    bounds = []
    for arc in atlas["arcs"]:
        x = y = 0
        lons, lats = [], []
        for dx, dy in arc:  # quantized TopoJSON arcs are delta-encoded
            x, y = x + dx, y + dy
            lons.append(x * scale_x + shift_x)
            lats.append(y * scale_y + shift_y)
        bounds.append((min(lons), min(lats), max(lons), max(lats)))

    def arc_indices(arcs: Any) -> list[int]:
        if arcs and isinstance(arcs[0], int):
            return [a if a >= 0 else ~a for a in arcs]
        return [index for part in arcs for index in arc_indices(part)]

    def reaches(geometry: dict[str, Any]) -> bool:
        return any(
            bounds[i][0] <= box[2] and bounds[i][2] >= box[0] and bounds[i][1] <= box[3] and bounds[i][3] >= box[1]
            for i in arc_indices(geometry.get("arcs", []))
        )

    kept = [g for g in atlas["objects"]["countries"]["geometries"] if reaches(g)]
    used = sorted({i for g in kept for i in arc_indices(g["arcs"])})
    renumber = {old: new for new, old in enumerate(used)}

    def remap(arcs: Any) -> Any:
        if arcs and isinstance(arcs[0], int):
            return [renumber[a] if a >= 0 else ~renumber[~a] for a in arcs]
        return [remap(part) for part in arcs]

    geometries = [{**g, "arcs": remap(g["arcs"])} for g in kept]
    return {
        "type": "Topology",
        "transform": atlas["transform"],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": [atlas["arcs"][i] for i in used],
    }


@_unvalidated
def members_map(site: Site, organisation_id: str, t: Strings, atlas: Atlas | None) -> Chart | None:
    """The member municipalities as points on a country basemap (world-atlas, Natural Earth)."""
    members = [m for m in _members(site, organisation_id) if m[3] is not None]
    if not members or atlas is None:
        return None
    points: list[dict[str, Any]] = [{"name": name, "country": t.country(country), "lon": place[0], "lat": place[1]}
              for _, name, country, place in members if place is not None]  # fmt: skip
    lons, lats = [p["lon"] for p in points], [p["lat"] for p in points]
    # Fit the members plus a margin, wider to the east where the names are written.
    corners = [[min(lons) - 2, min(lats) - 1.5], [max(lons) + 6, max(lats) + 1.5]]
    fit = {"type": "Feature", "properties": {},
           "geometry": {"type": "MultiPoint", "coordinates": [[p["lon"], p["lat"]] for p in points] + corners}}  # fmt: skip
    name = site.registries.organisations[organisation_id].value.name_in(t.lang)
    title = t("chart.map.title", organisation=name)
    description = t("chart.map.description", organisation=name, count=len(points),
                    places="; ".join(f"{p['name']} ({p['country']})" for p in points))  # fmt: skip
    west, south, east, north = corners[0][0], corners[0][1], corners[1][0], corners[1][1]
    data = _Datasets()
    countries = data.named(countries_within(atlas(), (west - 10, south - 10, east + 10, north + 10)),
                           alt.TopoDataFormat(type="topojson", feature="countries"))  # fmt: skip
    basemap = _unit(
        alt.MarkDef(type="geoshape", fill="#ececec", stroke="#8c8c8c", strokeWidth=0.6, clip=True), countries
    )
    longitude = alt.Longitude(field="lon", type="quantitative")
    latitude = alt.Latitude(field="lat", type="quantitative")
    dots = _unit(alt.MarkDef(type="circle", size=60, color=PALETTE[0], opacity=1, stroke=BACKGROUND, strokeWidth=1),
                 data.named(points), longitude=longitude, latitude=latitude,
                 tooltip=[alt.Tooltip(field="name", type="nominal"), alt.Tooltip(field="country", type="nominal")])  # fmt: skip
    labels = _unit(alt.MarkDef(type="text", align="left", dx=6, fontSize=11), data.named(points),
                   longitude=longitude, latitude=latitude, text=alt.Text(field="name", type="nominal"))  # fmt: skip
    chart = alt.TopLevelLayerSpec(layer=[basemap, dots, labels], width=520, height=520)
    # Altair's schema refuses a MultiPoint for `fit`, which Vega-Lite accepts: the projection fits the members.
    projection = {"type": "mercator", "fit": fit}
    columns = (ChartColumn("name", t("chart.column.member")), ChartColumn("country", t("chart.column.country")),
               ChartColumn("latitude", t("chart.column.latitude"), "number"),
               ChartColumn("longitude", t("chart.column.longitude"), "number"))  # fmt: skip
    table = tuple((p["name"], p["country"], p["lat"], p["lon"]) for p in points)
    return Chart(f"organisation-{organisation_id}-map", t.lang, title, description,
                 _spec(chart, data, t, title, description, projection=projection),
                 columns, table, (), t("chart.map.source"))  # fmt: skip


# --- the home page -----------------------------------------------------------------


@_unvalidated
def home_chart(site: Site, t: Strings) -> Chart | None:
    """Documents per municipality and year."""
    counts: Counter[tuple[str, int]] = Counter()
    for document in site.documents.values():
        municipality_id = document.municipality
        year = document_year(document)
        if municipality_id in site.registries.municipalities and year is not None:
            counts[(site.registries.municipalities[municipality_id].value.name_in(t.lang), year)] += 1
    if not counts:
        return None
    rows: list[dict[str, Any]] = [
        {"municipality": m, "year": str(y), "documents": n} for (m, y), n in sorted(counts.items())
    ]
    title = t("chart.home.title")
    description = t("chart.home.description", total=sum(counts.values()),
                    counts="; ".join(f"{r['municipality']} {r['year']}: {r['documents']}" for r in rows))  # fmt: skip
    x = alt.X(field="year", type="ordinal", title=t("field.year"), axis=alt.Axis(labelAngle=0))
    y = alt.Y(field="municipality", type="nominal", title=None)
    cells = _unit(alt.MarkDef(type="rect", stroke=BACKGROUND, strokeWidth=2), x=x, y=y,
                  color=alt.Color(field="documents", type="quantitative", scale=alt.Scale(range=["#c9dcf0", "#6f9fd0"]), legend=None))  # fmt: skip
    labels = _unit(alt.MarkDef(type="text", color=INK), x=x, y=y, text=alt.Text(field="documents", type="quantitative"))
    data = _Datasets()
    chart = alt.TopLevelLayerSpec(layer=[cells, labels], data=data.named(rows), width=WIDTH, height=alt.Step(30))
    columns = (ChartColumn("municipality", t("chart.column.municipality")), ChartColumn("year", t("field.year"), "integer"),
               ChartColumn("documents", t("chart.column.documents"), "integer"))  # fmt: skip
    table = tuple((r["municipality"], int(r["year"]), r["documents"]) for r in rows)
    return Chart(
        "home-documents", t.lang, title, description, _spec(chart, data, t, title, description), columns, table
    )


def _present(charts: Sequence[Chart | None]) -> list[Chart]:
    return [c for c in charts if c is not None]


def site_charts(
    site: Site,
    t: Strings,
    atlas: Atlas | None,
    only: Container[str] | None = None,
    documents: Sequence[ContentDocument] | None = None,
) -> dict[str, list[Chart]]:
    """Every chart in one language, by the output path of the page that shows it.

    With `only`, just the charts of the pages whose output paths it holds, the same as without it; the
    charts of other pages are not built at all. With `documents`, just the charts of those documents' own
    pages (as `only` allows), found without going through the whole site: an edit in `serve` renders a few.
    """
    lang = t.lang
    found: dict[str, list[Chart]] = {}

    def wanted(path: str) -> bool:
        return only is None or path in only

    def add(path: str, *charts: Chart | None) -> None:
        present = _present(charts)
        if present:
            found.setdefault(path, []).extend(present)

    def of_type(doc_type: str) -> Sequence[ContentDocument]:
        return site.by_type.get(doc_type, []) if documents is None else [d for d in documents if d.type == doc_type]

    if documents is None and wanted(home := urls.home_path(lang)):
        add(home, home_chart(site, t))
    for decision in of_type("decision"):
        if wanted(path := urls.document_path(lang, "decision", decision.id)):
            add(path, journey_chart(site, decision, t), *vote_charts(site, decision, t))
    for strategy in of_type("strategy"):
        if wanted(path := urls.document_path(lang, "strategy", strategy.id)):
            add(path, strategy_chart(site, strategy, t))
    for membership in of_type("membership"):
        if wanted(path := urls.document_path(lang, "membership", membership.id)):
            add(path, fee_chart(membership, t))
    relations_documents = of_type("relations")
    if documents is None:
        municipalities = sorted(site.registries.municipalities)
    else:
        municipalities = sorted({m for d in relations_documents if (m := d.municipality)})
    for municipality_id in municipalities:
        # One chart, shown on the municipality's page and on each of its relations documents.
        paths = [urls.municipality_path(lang, municipality_id)] if documents is None else []
        neighbours = site.by_municipality.get(municipality_id, []) if documents is None else relations_documents
        paths += [
            urls.document_path(lang, "relations", document.id)
            for document in neighbours
            if document.type == "relations" and document.municipality == municipality_id
        ]
        if any(wanted(path) for path in paths):
            relations = relations_chart(site, municipality_id, t)
            for path in paths:
                if wanted(path):
                    add(path, relations)
    if documents is not None:
        return found
    for organisation_id in sorted(site.registries.organisations):
        if wanted(path := urls.organisation_path(lang, organisation_id)):
            add(path, members_chart(site, organisation_id, t), members_map(site, organisation_id, t, atlas))
    for indicator_id, ref in sorted(site.indicators.items()):
        if wanted(path := urls.indicator_path(lang, indicator_id)):
            add(path, indicator_chart(ref, measured_values(site, ref.indicator), t))
    return found
