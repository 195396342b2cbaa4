"""What the site publishes as open data: datasets and their distributions (files)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Distribution:
    """One downloadable file of a dataset."""

    path: str
    """Output path below the site root, e.g. data/decisions.csv."""
    media_type: str
    """IANA media type, e.g. text/csv or application/json."""
    format: str
    """EU file-type authority code: CSV, JSON, RDF_TURTLE, JSON_LD."""
    title: str
    """The file's own name for readers, e.g. decisions.csv."""
    byte_size: int
    conforms_to: str | None = None
    """Output path of a schema the file follows (a Table Schema or JSON Schema), if any."""


@dataclass(frozen=True)
class Dataset:
    """A dataset of the catalogue: a coherent set of facts, in one or more files."""

    id: str
    """Identifier and URL slug, e.g. decisions."""
    title: dict[str, str]
    """Title per UI language."""
    description: dict[str, str]
    """Description per UI language."""
    themes: tuple[str, ...]
    """EU data theme codes (data-theme authority table), e.g. GOVE, JUST, SOCI."""
    keywords: dict[str, tuple[str, ...]]
    """Keywords per UI language."""
    distributions: tuple[Distribution, ...]
    modified: dt.date | None
    """When the facts last changed (from the sources' history), if known."""
    spatial: tuple[str, ...] = field(default_factory=tuple)
    """ISO 3166-1 alpha-2 codes of the countries the facts cover."""
    languages: tuple[str, ...] = field(default_factory=tuple)
    """ISO 639-1 codes of the languages the facts are written in."""
    issued: dt.date | None = None

    @functools.cached_property
    def digest(self) -> str:
        """A hash of all the dataset says, for the pages that show it; worked out once, as `serve` keeps
        the datasets an edit does not change (the indicators' has thousands of files)."""
        return hashlib.blake2b(repr(self).encode("utf-8"), digest_size=16).hexdigest()
