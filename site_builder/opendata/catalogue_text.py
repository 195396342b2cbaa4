"""The catalogue's Turtle and JSON-LD, written once for the datasets' shape and filled in with file sizes.

Every distribution gives its file's size, so an edit of one document's body changes the catalogue. On a
large site writing it (tens of thousands of triples) takes most of the second `serve` has for an edit,
while everything but the sizes stays. So the texts are written with a numbered slot where each size
goes, kept (see OpenData.catalogue), and filled in again; only a change of anything else writes them anew.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..config import SiteSettings
from .datasets import Dataset
from .dcat import build_catalogue, catalogue_jsonld, catalogue_turtle

_SLOT_BASE = 7 * 10**21
"""Slot n is written as the size 7000000000000 followed by n in nine digits: a number no file has."""
_SLOT = re.compile(r"(?<!\d)7000000000000(\d{9})(?!\d)")


@dataclass(frozen=True)
class _SlottedText:
    """A text cut at its slots: pieces[0], slot, pieces[1], slot, …, pieces[-1]."""

    pieces: tuple[str, ...]
    slots: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> _SlottedText:
        parts = _SLOT.split(text)
        return cls(tuple(parts[0::2]), tuple(int(slot) for slot in parts[1::2]))

    def filled(self, sizes: Sequence[str]) -> str:
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out += (sizes[slot], piece)
        return "".join(out)


@dataclass(frozen=True)
class SizedCatalogue:
    """The catalogue's texts with a slot for each distribution's size, and what they were written from."""

    shape: tuple[Any, ...]
    """The settings, the datasets without their sizes, and the date of the last change."""
    slots: dict[str, int]
    """Each distribution's slot, by its file's path."""
    turtle: _SlottedText
    jsonld: _SlottedText

    def filled(self, datasets: Sequence[Dataset]) -> tuple[str, str]:
        """(Turtle, JSON-LD) with the sizes of `datasets`, which have this shape."""
        sizes = [""] * len(self.slots)
        for dataset in datasets:
            for distribution in dataset.distributions:
                sizes[self.slots[distribution.path]] = str(distribution.byte_size)
        return self.turtle.filled(sizes), self.jsonld.filled(sizes)


def catalogue_texts(
    settings: SiteSettings, datasets: Sequence[Dataset], modified: dt.date | None, known: SizedCatalogue | None
) -> tuple[str, str, SizedCatalogue | None]:
    """(Turtle, JSON-LD) of the catalogue, and the sized catalogue to fill in next time (`known` if it has
    the shape of these datasets; None where a text holds what looks like a slot).

    Raises ValueError where `build_catalogue` does."""
    if any(d.byte_size < 0 for dataset in datasets for d in dataset.distributions):
        build_catalogue(settings, datasets, modified)  # says which file
    shape = _shape(settings, datasets, modified)
    sized = known if known is not None and known.shape == shape else _sized(settings, datasets, modified, shape)
    if sized is None:
        catalogue = build_catalogue(settings, datasets, modified)
        return catalogue_turtle(catalogue), catalogue_jsonld(catalogue), None
    return *sized.filled(datasets), sized


def _shape(settings: SiteSettings, datasets: Sequence[Dataset], modified: dt.date | None) -> tuple[Any, ...]:
    unsized = tuple(
        replace(dataset, distributions=tuple(replace(d, byte_size=0) for d in dataset.distributions))
        for dataset in datasets
    )
    return (settings, unsized, modified)


def _sized(
    settings: SiteSettings, datasets: Sequence[Dataset], modified: dt.date | None, shape: tuple[Any, ...]
) -> SizedCatalogue | None:
    slots: dict[str, int] = {}
    for dataset in datasets:
        for distribution in dataset.distributions:
            slots.setdefault(distribution.path, len(slots))
    slotted = [
        replace(
            dataset,
            distributions=tuple(replace(d, byte_size=_SLOT_BASE + slots[d.path]) for d in dataset.distributions),
        )
        for dataset in datasets
    ]
    catalogue = build_catalogue(settings, slotted, modified)
    turtle, jsonld = catalogue_turtle(catalogue), catalogue_jsonld(catalogue)
    slotted_turtle, slotted_jsonld = _SlottedText.of(turtle), _SlottedText.of(jsonld)
    # Each size is written once in each text; any other match is the catalogue's own text.
    every_slot = list(range(len(slots)))
    if sorted(slotted_turtle.slots) != every_slot or sorted(slotted_jsonld.slots) != every_slot:
        return None
    return SizedCatalogue(shape, slots, slotted_turtle, slotted_jsonld)
