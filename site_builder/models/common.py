"""Building blocks shared by the registries and the content types."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from babel.numbers import list_currencies
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120),
]
"""Identifiers name things in URLs and references, so they stay ASCII."""

Language = Literal["nb", "nn", "sv", "da", "fi", "is", "en", "se"]
"""Languages a document's own text can be written in (ISO 639-1; `se` is North Sami)."""

HttpUrl = Annotated[
    str,
    StringConstraints(pattern=r"^https?://[^\s<>\"'`]+$", max_length=2000),
]
"""Links in content are web addresses only: no javascript:, data: or relative tricks."""

ProjectFile = Annotated[
    str,
    StringConstraints(min_length=1, max_length=500),
]
"""Checked against the file system in the graph stage: it must stay inside files/."""

CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
]


def _check_currency(code: str) -> str:
    if code not in _CURRENCIES:
        raise ValueError(f"'{code}' is not an ISO 4217 currency code (e.g. NOK, SEK, DKK, EUR, ISK)")
    return code


_CURRENCIES = frozenset(list_currencies())
"""ISO 4217 codes as CLDR knows them, from babel."""

CurrencyCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_check_currency),
]

_SDG_CODE = re.compile(r"^(?P<goal>\d{1,2})(?:\.(?:[0-9]{1,2}|[a-z])(?:\.\d{1,2})?)?$")


def _check_sdg_code(code: str) -> str:
    match = _SDG_CODE.match(code)
    if not match or not 1 <= int(match["goal"]) <= 17:
        raise ValueError(f"'{code}' is not an SDG goal, target or indicator code such as 16, 16.1 or 16.1.3")
    return code


SdgCode = Annotated[
    str,
    AfterValidator(_check_sdg_code),
]

Year = Annotated[int, Field(ge=1000, le=2200)]
"""A calendar year, such as 2022."""

LocalizedText = dict[Language, str]
"""The same text in several languages, keyed by language code."""


def localized(texts: Mapping[Any, str], lang: str, fallback: str) -> str:
    """The text in `lang`, or `fallback` when there is none in that language."""
    return texts.get(lang, fallback)


class StrictModel(BaseModel):
    """Every model refuses unknown keys, so a misspelt field is an error, not silently lost.

    A model's validator is built when first used (`defer_build`): a site uses some content types only,
    and building every one when site_builder is imported took 0.03 s of every command. The docstrings
    under the fields describe them in the JSON Schemas (see docstrings.py)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Person(StrictModel):
    """A person in a public role only: a mover, a case officer, a signatory."""

    name: str | None = None
    """The person's name as the source document gives it; may be left out when only the role is known."""
    party: Identifier | None = None
    """The party's identifier in data/parties.yaml, when the person acts for a party."""
    role: str | None = None
    """The public role, in the document's language, e.g. "kommunedirektør" or "saksordfører"."""
    affiliation: str | None = None
    """The organisation the person acts for, when it is not a party (e.g. "Velferdstinget")."""

    @model_validator(mode="after")
    def _named_or_role(self) -> Person:
        if not self.name and not self.role:
            raise ValueError("a person needs a `name` or a `role`")
        return self


class Source(StrictModel):
    """Where a document or a figure comes from."""

    title: str
    """Title of the publication or document."""
    publisher: str | None = None
    """Who published it (an organisation name)."""
    year: Year | None = None
    """Year of publication."""
    reference: str | None = None
    """A table code, section or page in the publication, e.g. "A3"."""
    url: HttpUrl | None = None
    """A public web address (http or https) of the source."""
    file: ProjectFile | None = None
    """The source document itself (e.g. the PDF), in the project's files/ folder; it is published beside the page."""
    note: str | None = None
    """Anything a reader needs to know about the source."""
