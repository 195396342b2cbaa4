"""Whether an indicator moves toward its target: on track, off track, or not enough data.

The method follows Statistics Canada's, which Open SDG uses: compare the
compound annual growth rate measured since the baseline with the rate the
target needs. Where a rate cannot be compounded (a zero or negative value, or a
target of zero), the yearly change is compared linearly instead, so such
indicators still get a status rather than a silent gap.

A value that already meets the target counts as on track. Progress counts as
on track from 95 % of the needed pace, the threshold Open SDG's "substantial
progress" band starts at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .graph import IndicatorRef, Site
from .model import ContentDocument
from .models.documents import DataPoint, Indicator, Strategy

Status = Literal["on-track", "off-track", "no-data"]

ON_TRACK_SHARE = 0.95
"""Share of the needed pace that counts as on track."""


@dataclass(frozen=True)
class Progress:
    """An indicator's (or one breakdown's) progress from baseline to target."""

    status: Status
    breakdown: str | None
    baseline: DataPoint | None
    target: DataPoint | None
    latest: DataPoint | None
    """The newest measured value after the baseline year."""
    share_of_pace: float | None
    """Measured pace as a share of the needed pace (1.0 = exactly on schedule)."""
    reached: bool = False
    """The latest value already meets the target."""


def _numeric(points: list[DataPoint], breakdown: str | None) -> list[DataPoint]:
    return sorted((p for p in points if p.breakdown == breakdown and p.value is not None), key=lambda p: p.year)


def _better_is_higher(indicator: Indicator, baseline: float, target: float) -> bool | None:
    if indicator.direction == "increase":
        return True
    if indicator.direction == "decrease":
        return False
    if target == baseline:
        return None
    return target > baseline


def _rate(start: float, end: float, years: int) -> float:
    """Compound annual growth rate, or the linear yearly change relative to the start where CAGR is undefined."""
    if start > 0 and end > 0:
        return float((end / start) ** (1 / years) - 1)
    return (end - start) / years / (abs(start) or 1)


def progress_of(indicator: Indicator, measured: list[DataPoint], breakdown: str | None = None) -> Progress:
    """Progress of one series (the whole indicator, or one breakdown)."""
    baselines = _numeric(indicator.baseline, breakdown)
    targets = _numeric(indicator.target, breakdown)
    baseline = baselines[-1] if baselines else None
    target = targets[-1] if targets else None
    later = [p for p in _numeric(measured, breakdown) if baseline is None or p.year > baseline.year]
    latest = later[-1] if later else None
    if baseline is None or target is None or latest is None:
        return Progress("no-data", breakdown, baseline, target, latest, None)
    assert baseline.value is not None and target.value is not None and latest.value is not None
    higher = _better_is_higher(indicator, baseline.value, target.value)
    if higher is None or target.year <= baseline.year:
        return Progress("no-data", breakdown, baseline, target, latest, None)
    reached = latest.value >= target.value if higher else latest.value <= target.value
    if reached:
        return Progress("on-track", breakdown, baseline, target, latest, None, reached=True)
    needed = _rate(baseline.value, target.value, target.year - baseline.year)
    actual = _rate(baseline.value, latest.value, latest.year - baseline.year)
    share = actual / needed if needed else 0.0
    status: Status = "on-track" if share >= ON_TRACK_SHARE else "off-track"
    return Progress(status, breakdown, baseline, target, latest, share)


def indicator_progress(indicator: Indicator, measured: list[DataPoint]) -> list[Progress]:
    """One entry per breakdown (or one for the whole indicator)."""
    keys: list[str | None] = [b.id for b in indicator.breakdowns] or [None]
    return [progress_of(indicator, measured, key) for key in keys]


def overall_status(progress: list[Progress]) -> Status:
    """Off track if any series is; on track if all are; otherwise not enough data."""
    statuses = {p.status for p in progress}
    if "off-track" in statuses:
        return "off-track"
    if statuses == {"on-track"}:
        return "on-track"
    return "no-data"


@dataclass(frozen=True)
class IndicatorStatus:
    """One indicator's progress, for the strategy page's overview and the home page."""

    ref: IndicatorRef
    progress: list[Progress]
    status: str


def strategy_statuses(site: Site, strategy: ContentDocument) -> list[IndicatorStatus]:
    """Every indicator of a strategy with its progress status, in the strategy's order."""
    model = strategy.model
    assert isinstance(model, Strategy)
    found = []
    for area in model.goal_areas:
        for indicator in area.indicators:
            ref = site.indicators[indicator.id]
            progress = indicator_progress(indicator, measured_values(site, indicator))
            found.append(IndicatorStatus(ref, progress, overall_status(progress)))
    return found


def measured_values(site: Site, indicator: Indicator) -> list[DataPoint]:
    """Measured values from the strategy itself and from data/series/, oldest first."""
    values = [*indicator.values, *site.series.get(indicator.id, [])]
    return sorted(values, key=lambda p: (p.year, p.breakdown or ""))
