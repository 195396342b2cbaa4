"""CSV files that spreadsheets open safely and that read back to exactly the values written.

A text cell starting with =, +, -, @, a tab or a carriage return would run as
a formula in a spreadsheet (CSV injection), so such a cell gets a leading
apostrophe, as OWASP recommends. A text cell that itself starts with an
apostrophe gets one more, so `read_csv` can undo the rule without ambiguity.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from .tables import Column

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """The cell text a spreadsheet shows as text, never runs."""
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def restore(text: str) -> str:
    """Undo `neutralise`."""
    return text[1:] if text.startswith("'") else text


def format_cell(value: Any, column: Column) -> str:
    """A value as CSV text per its column type: ISO dates, true/false, plain decimal numbers."""
    if value is None:
        return ""
    if column.type == "boolean":
        return "true" if value else "false"
    if column.type == "date":
        return str(value.isoformat())
    if column.type == "number":
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    if column.type == "integer":
        return str(int(value))
    return neutralise(str(value))


def parse_cell(text: str, column: Column) -> Any:
    """Read a cell back to the Python value it was written from."""
    if text == "":
        return None
    if column.type == "boolean":
        return text == "true"
    if column.type == "date":
        return dt.date.fromisoformat(text)
    if column.type == "number":
        return float(text)
    if column.type == "integer":
        return int(text)
    return restore(text)


def write_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a header row and CRLF line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    # Column by column: each column's cells are formatted in one comprehension (a site has millions of cells).
    cells = [
        _format_column(values, column) for values, column in zip(_by_column(rows, len(columns)), columns, strict=True)
    ]
    writer.writerows(zip(*cells, strict=True))
    return buffer.getvalue().encode("utf-8")


def _by_column(rows: Iterable[Sequence[Any]], width: int) -> list[tuple[Any, ...]]:
    listed = list(rows)
    if not listed:
        return [() for _ in range(width)]
    by_column = list(zip(*listed, strict=True))
    if len(by_column) != width:
        raise ValueError(f"a row has {len(by_column)} values for {width} columns")
    return by_column


def _format_column(values: Sequence[Any], column: Column) -> list[str]:
    """`format_cell` of each value, with the usual cases spelled out for speed."""
    if column.type == "string":
        return [
            (value if not value.startswith(_NEUTRALISED) else "'" + value)
            if type(value) is str
            else format_cell(value, column)
            for value in values
        ]
    if column.type == "integer":
        return [str(value) if type(value) is int else format_cell(value, column) for value in values]
    return [format_cell(value, column) for value in values]


_NEUTRALISED = (*FORMULA_STARTS, "'")


def read_csv(data: bytes, columns: Sequence[Column]) -> list[tuple[Any, ...]]:
    """Parse a file written by `write_csv` back into typed rows."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader)
    if header != [c.name for c in columns]:
        raise ValueError(f"unexpected header {header}")
    return [tuple(parse_cell(cell, column) for cell, column in zip(row, columns, strict=True)) for row in reader]
