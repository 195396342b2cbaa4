"""Previous and next within a case: the meetings of one decision, and decisions that share a case number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .graph import Site
from .model import ContentDocument
from .models import Decision
from .models.documents import Consultation


@dataclass(frozen=True)
class Neighbours:
    """The meeting (or decision) before and after one in its case, if any."""

    previous: Consultation | ContentDocument | None
    next: Consultation | ContentDocument | None


def meeting_order(decision: Decision) -> list[Consultation]:
    """The decision's meetings by date; an undated meeting stays after the meeting the source lists before it."""
    keyed: list[tuple[dt.date, int, Consultation]] = []
    last = dt.date.min
    for index, consultation in enumerate(decision.consultations):
        last = consultation.date or last
        keyed.append((last, index, consultation))
    return [consultation for _, _, consultation in sorted(keyed, key=lambda k: (k[0], k[1]))]


def meeting_neighbours(decision: Decision) -> dict[str, Neighbours]:
    """For each meeting's id, the meetings before and after it in date order."""
    ordered = meeting_order(decision)
    return {
        c.id: Neighbours(ordered[i - 1] if i > 0 else None, ordered[i + 1] if i + 1 < len(ordered) else None)
        for i, c in enumerate(ordered)
    }


def _date(document: ContentDocument) -> dt.date:
    model = document.model
    if model.date is not None:
        return model.date
    dates = [c.date for c in getattr(model, "consultations", []) if c.date]
    return max(dates) if dates else dt.date.min


def case_neighbours(site: Site, document: ContentDocument) -> Neighbours:
    """Earlier and later decisions of the same municipality with the same case number."""
    model = document.model
    if not isinstance(model, Decision) or not model.case_number:
        return Neighbours(None, None)
    # The municipality's documents hold all its decisions: far fewer than the site's.
    same = [
        d
        for d in site.by_municipality.get(model.municipality, [])
        if isinstance(d.model, Decision)
        and d.model.municipality == model.municipality
        and d.model.case_number == model.case_number
    ]
    same.sort(key=lambda d: (_date(d), d.id))
    index = same.index(document)
    return Neighbours(same[index - 1] if index > 0 else None, same[index + 1] if index + 1 < len(same) else None)
