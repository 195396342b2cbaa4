"""Each content file split, linted and validated once per text, for `serve`.

A rebuild in `serve` reads every file again (cheap) but checks only those whose text changed since the
last rebuild; the problems found in a file are kept with it and reported again on every rebuild until
the file changes, exactly as a clean build would report them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .diagnostics import Diagnostic, Diagnostics
from .lint import lint_personal_data
from .load import RawDocument, SourceFile, split_front_matter
from .model import ContentDocument, validate_document


@dataclass(frozen=True)
class _Checked:
    raw: RawDocument | None
    """None if the file could not be split into front matter and body."""
    problems: tuple[Diagnostic, ...]
    """What splitting and the personal-data lint found."""
    document: ContentDocument | None = None
    validation: tuple[Diagnostic, ...] = ()


def lint_document(raw: RawDocument, diagnostics: Diagnostics) -> None:
    """The personal-data lint of one content file, honouring the contacts its front matter marks public."""
    contacts = raw.front_matter.data.get("public_contacts")
    lint_personal_data(raw.source, contacts if isinstance(contacts, list) else [], diagnostics)


class DocumentChecks:
    """The last rebuild's checks of each content file, by its path and text."""

    def __init__(self) -> None:
        self._checked: dict[tuple[str, str], _Checked] = {}

    def split(self, sources: list[SourceFile], diagnostics: Diagnostics) -> list[RawDocument]:
        """Each file split and linted (again only if its text changed); forgets files no longer there."""
        checked: dict[tuple[str, str], _Checked] = {}
        for source in sources:
            key = (source.shown, source.text)
            entry = self._checked.get(key)
            if entry is None:
                found = Diagnostics()
                raw = split_front_matter(source, found)
                if raw is not None:
                    lint_document(raw, found)
                entry = _Checked(raw, tuple(found.items))
            checked[key] = entry
            diagnostics.items.extend(entry.problems)
        self._checked = checked
        return [entry.raw for entry in checked.values() if entry.raw is not None]

    def validate(self, raw: RawDocument, diagnostics: Diagnostics) -> ContentDocument | None:
        """`model.validate_document`, once per text."""
        key = (raw.source.shown, raw.source.text)
        entry = self._checked.get(key)
        if entry is None or entry.raw is not raw:
            return validate_document(raw, diagnostics)
        if entry.document is None and not entry.validation:
            found = Diagnostics()
            document = validate_document(raw, found)
            entry = self._checked[key] = _Checked(entry.raw, entry.problems, document, tuple(found.items))
        diagnostics.items.extend(entry.validation)
        return entry.document

    def forget(self, shown: str) -> None:
        """Check the file `shown` afresh next time (its document was changed in place, see bodies.py)."""
        self._checked = {key: entry for key, entry in self._checked.items() if key[0] != shown}
