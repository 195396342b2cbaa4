"""Typed models of the site's content and registries (pydantic v2)."""

from __future__ import annotations

from .common import Person, Source, StrictModel
from .documents import (
    DOCUMENT_TYPES,
    Agreement,
    Commitment,
    Consultation,
    DataPoint,
    Decision,
    DocumentBase,
    GoalArea,
    Indicator,
    Membership,
    Motion,
    Page,
    Relation,
    Relations,
    Strategy,
    VoteCount,
    VoteEvent,
)
from .registry import REGISTRIES, Convention, Municipality, Organisation, Party, Sdg, Topic

__all__ = [
    "DOCUMENT_TYPES",
    "REGISTRIES",
    "Agreement",
    "Commitment",
    "Consultation",
    "Convention",
    "DataPoint",
    "Decision",
    "DocumentBase",
    "GoalArea",
    "Indicator",
    "Membership",
    "Motion",
    "Municipality",
    "Organisation",
    "Page",
    "Party",
    "Person",
    "Relation",
    "Relations",
    "Sdg",
    "Source",
    "Strategy",
    "StrictModel",
    "Topic",
    "VoteCount",
    "VoteEvent",
]
