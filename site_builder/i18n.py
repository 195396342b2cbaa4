"""UI strings per language and locale-aware formatting of dates, numbers and names.

Strings live in the theme, one YAML file per language (strings/<lang>.yaml);
a site theme may override single keys. Adding a language is one strings file
plus one entry in site.yaml's `languages`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from babel.units import format_unit

from .diagnostics import Diagnostics
from .load import read_text, shown_path
from .yamlio import YamlSyntaxError, parse_yaml

# Babel needs a territory to pick conventions; English uses British day-month order.
_LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "sv": "sv_SE", "da": "da_DK", "fi": "fi_FI", "is": "is_IS", "en": "en_GB"}


@cache
def _locale(identifier: str) -> Locale:
    """Parsing a locale reads babel's data files; every page formats dozens of dates and numbers."""
    return Locale.parse(identifier)


_SIZE_UNITS = (
    ("digital-byte", 0),
    ("digital-kilobyte", 3),
    ("digital-megabyte", 6),
    ("digital-gigabyte", 9),
)
"""Each unit with the power of ten of bytes it is."""


def file_size(byte_size: int, locale: Locale | str) -> str:
    """A file's size as people read it: at most three significant digits of the largest decimal unit it
    fills ("57,4 MB", "812 kB"). The open data's catalogues give the exact number of bytes; a page that
    gave it would also change with every edit of the site, and its search index part with it."""
    unit, value, digits = _in_unit(byte_size)
    return _size_text(value, unit, digits, str(locale))


@lru_cache(maxsize=8192)
def _size_text(value: Decimal, unit: str, digits: int, locale: str) -> str:
    """Babel's text for a rounded size, made once: the dataset pages and their JSON-LD give every open-data
    file's size (10,500 at 10,000 documents, on every rebuild in `serve`), Babel takes about 25 µs a size,
    and sizes rounded to three digits repeat."""
    return format_unit(value, unit, length="short", format=_decimals(digits), locale=locale)


def _decimals(digits: int) -> str:
    """Babel's number pattern with thousands grouped and at most `digits` decimals, no trailing zeros."""
    return f"#,##0.{'#' * digits}" if digits else "#,##0"


def _in_unit(byte_size: int) -> tuple[str, Decimal, int]:
    """The unit, the value in it rounded as shown (half to even, as Babel rounds) and the decimals to show:
    the first unit the size rounds below 1,000 in."""
    for unit, exponent in _SIZE_UNITS:
        exact = Decimal(byte_size).scaleb(-exponent)
        digits = 0 if exponent == 0 or exact >= Decimal("99.95") else 1 if exact >= Decimal("9.995") else 2
        value = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
        if value < 1000:
            return unit, value, digits
    return unit, value, digits  # the largest unit, however many of it


@dataclass(frozen=True)
class Strings:
    """The UI strings of one language, with babel formatting in that language."""

    lang: str
    table: dict[str, str]

    @property
    def locale(self) -> Locale:
        return _locale(_LOCALES.get(self.lang, self.lang))

    def __call__(self, key: str, **values: object) -> str:
        text = self.table[key]
        return text.format(**values) if values else text

    def date(self, value: dt.date | None, style: str = "long") -> str:
        return babel_format_date(value, style, locale=self.locale) if value else ""

    def number(self, value: float | int | None, digits: int = 2) -> str:
        if value is None:
            return ""
        return format_decimal(value, format=_decimals(digits), locale=self.locale)

    def file_size(self, byte_size: int) -> str:
        return file_size(byte_size, self.locale)

    def money(self, amount: float, currency: str) -> str:
        return f"{self.number(amount)} {currency}"

    def country(self, code: str | None) -> str:
        if not code:
            return ""
        return str(self.locale.territories.get(code, code))

    def language_own_name(self, code: str) -> str:
        """A language's name in that language itself, as language switchers show it ("Svenska")."""
        return _own_name(code)

    def language(self, code: str) -> str:
        return str(self.locale.languages.get(code, code))


def load_strings(
    theme_dirs: list[Path], languages: list[str], root: Path, diagnostics: Diagnostics
) -> dict[str, Strings]:
    """Read strings/<lang>.yaml from each theme folder, later folders overriding earlier keys.

    Every language must define every key the default language defines.
    """
    tables: dict[str, dict[str, str]] = {lang: {} for lang in languages}
    where: dict[str, str] = {}
    for theme_dir in theme_dirs:
        for lang in languages:
            path = theme_dir / "strings" / f"{lang}.yaml"
            if not path.exists():
                continue
            source = read_text(path, root, diagnostics)
            if source is None:
                continue
            try:
                document = parse_yaml(source.text)
            except YamlSyntaxError as exc:
                diagnostics.error(source.shown, exc.line, exc.column, f"YAML syntax error: {exc.message}")
                continue
            if not isinstance(document.data, dict):
                diagnostics.error(source.shown, 1, 1, "a strings file must be a mapping of keys to texts")
                continue
            for key, text in document.data.items():
                if not isinstance(text, str):
                    line, column = document.position((key,))
                    diagnostics.error(source.shown, line, column, f"string '{key}' must be text")
                    continue
                tables[lang][key] = text
            where[lang] = source.shown
    keys = set().union(*(set(t) for t in tables.values()))
    for lang in languages:
        if not tables[lang]:
            shown = shown_path(theme_dirs[0] / "strings" / f"{lang}.yaml", root)
            diagnostics.error(
                shown, 1, 1, f"no UI strings for language '{lang}'", "copy strings/en.yaml and translate it"
            )
            continue
        missing = sorted(keys - set(tables[lang]))
        if missing:
            diagnostics.error(where[lang], 1, 1, f"missing UI strings: {', '.join(missing)}")
    return {lang: Strings(lang, tables[lang]) for lang in languages}


@cache
def _own_name(code: str) -> str:
    # Every page's language switcher asks for every language's name; babel looks it up afresh each time.
    name = _locale(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]
