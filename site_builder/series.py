"""Measured indicator values kept in data/series/<indicator-id>.csv, one file per indicator.

Statistics arrive as tables (Kolada, SSB, SCB exports), so series are CSV, not
YAML: columns `year` and `value` (both required), optional `breakdown` and
`note`. Each row becomes a DataPoint; every bad cell is a diagnostic with the
file and the row's line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from .diagnostics import Diagnostics
from .load import read_text
from .models.documents import DataPoint

COLUMNS = ("year", "value", "breakdown", "note")
REQUIRED = ("year", "value")


@dataclass
class SeriesFile:
    """One indicator's measured values and where each came from."""

    shown: str
    """The file as editors know it."""
    points: list[DataPoint] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    """The line of each point, for diagnostics found later (unknown breakdowns)."""


def load_series(data_dir: Path, root: Path, diagnostics: Diagnostics) -> dict[str, SeriesFile]:
    """Every series by indicator identifier (the file's name)."""
    folder = data_dir / "series"
    found: dict[str, SeriesFile] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.csv")):
        source = read_text(path, root, diagnostics, confine=True)
        if source is None:
            continue
        series = _parse(source.text, source.shown, diagnostics)
        if series is not None:
            found[path.stem] = series
    return found


def _parse(text: str, shown: str, diagnostics: Diagnostics) -> SeriesFile | None:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing:
        problems = [f"unknown column '{n}'" for n in unknown] + [f"missing column '{n}'" for n in missing]
        diagnostics.error(shown, 1, 1, "; ".join(problems), f"the columns are {', '.join(COLUMNS)}")
        return None
    series = SeriesFile(shown)
    seen: dict[tuple[int, str | None], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            diagnostics.error(shown, line, 1, f"{len(cells)} cells where the header has {len(header)}")
            continue
        row = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        point = _point(row, shown, line, header, diagnostics)
        if point is None:
            continue
        key = (point.year, point.breakdown)
        if key in seen:
            diagnostics.error(shown, line, 1, f"a second value for {point.year}" + (f" ({point.breakdown})" if point.breakdown else ""),
                              f"line {seen[key]} already has it")  # fmt: skip
            continue
        seen[key] = line
        series.points.append(point)
        series.lines.append(line)
    return series


def _point(row: dict[str, str], shown: str, line: int, header: list[str], diagnostics: Diagnostics) -> DataPoint | None:
    for name in REQUIRED:
        if not row[name]:
            column = header.index(name) + 1
            diagnostics.error(shown, line, column, f"missing {name}", "every row needs a year and a value")
            return None
    value_text = row["value"].replace("\u00a0", "").replace(" ", "")
    try:
        value = float(value_text)
    except ValueError:
        hint = "write decimals with a point: 11.7, not 11,7" if "," in value_text else "a value is a number"
        diagnostics.error(shown, line, header.index("value") + 1, f"'{row['value']}' is not a number", hint)
        return None
    try:
        return DataPoint(
            year=int(row["year"]) if row["year"].isdigit() else row["year"],
            value=value,
            breakdown=row.get("breakdown") or None,
            note=row.get("note") or None,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "year"
        column = header.index(field) + 1 if field in header else 1
        diagnostics.error(shown, line, column, f"{field}: {error['msg']}")
        return None
