"""`site-builder new TYPE`: a valid document to start from, with the optional fields as comments.

Each scaffold passes `check` as written, so an editor starts from green and
changes one thing at a time. The first front-matter line points the YAML
language server at the type's JSON Schema, for completion in the editor.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path

from . import urls
from .config import SiteConfig

_BODY = {
    "nb": "Skriv et sammendrag av saken med egne ord her. Fakta fra kilden gjengis nøyaktig.\n",
    "nn": "Skriv eit samandrag av saka med eigne ord her.\n",
    "sv": "Skriv en sammanfattning av ärendet med egna ord här. Fakta från källan återges exakt.\n",
    "en": "Write a summary in your own words here. Facts from the source are copied exactly.\n",
}

_OPTIONAL_COMMON = """\
# summary: A short summary in your own words.
# topics: [safety]                      # identifiers from data/topics.yaml
# sdgs: ["16", "16.1"]                  # UN SDG goals or targets
# source:
#   title: The protocol or document this is taken from
#   publisher: The municipality
#   year: {year}
#   url: https://example.org/protocol.pdf
#   file: {municipality}/the-protocol.pdf   # a copy in files/
# editor_notes:
#   - What you decided where the source was unclear or incomplete.
# related: []                           # identifiers of other documents
"""

_FIELDS = {
    "decision": """\
municipality: {municipality}
status: proposed            # proposed, adopted, rejected, postponed, withdrawn or unknown
date: {date}
# case_number: "124/22"
# archive_number: "22/09373-1"
# deciding_body: {municipality}-kommunestyret   # from data/organisations.yaml
# recommendation:
#   - The proposed decision, one point per item, exactly as worded.
# decision_points:
#   - The decision, one point per item, exactly as worded.
# consultations:              # every meeting that handled the case, in date order
#   - id: council-{date}
#     body: {municipality}-kommunestyret
#     date: {date}
#     agenda_item: "1/{short_year}"
#     authoritative: true
#     result: adopted
#     motions:
#       - id: motion-1
#         kind: amendment
#         mover: {{name: A. Person, party: no-ap}}
#         text: The motion's text, exactly as the minutes give it.
#         result: passed
#     votes:
#       - motion: motion-1
#         description: The minutes' words for the vote, exactly.
#         result: pass
#         counts: [{{option: no, value: 5, party: no-mdg}}]
# sent_to: [Rådmannen]
""",
    "strategy": """\
municipality: {municipality}
period_start: {year}
period_end: {end_year}
status: draft               # draft, proposed, adopted, replaced or expired
# adopted_by: the-decision-document-id
# overall_goal: The strategy's overall goal, exactly as worded.
# goal_areas:
#   - id: area-1
#     number: "1"
#     title: The goal area's title
#     goals: [A goal, exactly as worded]
#     indicators:
#       - id: {municipality}-indicator-1
#         name: The indicator, exactly as worded
#         unit: "%"
#         value_type: percent
#         direction: decrease
#         direction_note: The source does not say; lower is better in the editor's reading.
#         baseline: [{{year: {year}, value: 23}}]
#         target: [{{year: {end_year}, value: 10}}]
""",
    "membership": """\
municipality: {municipality}
organisation: {organisation}       # from data/organisations.yaml
start_year: {year}
status: proposed            # proposed, active, ended or declined
# end_year: {end_year}
# binding_years: 2
# fees:
#   - amount: 75000
#     currency: DKK           # ISO 4217
#     per: year
# conditions: [A condition, as the source words it]
# decided_by: the-decision-document-id
""",
    "agreement": """\
municipality: {municipality}
parties: [{municipality}, {partner}]   # municipalities from data/municipalities.yaml
status: proposed            # proposed, adopted, in-force or ended
# purpose: What the agreement is for.
# areas:
#   - title: An area of cooperation
#     description: What the parties will do.
# conditions:
#   - kind: matching-decision
#     municipality: {partner}
#     text: Valid only if the other party decides the same.
# decided_by: the-decision-document-id
""",
    "commitment": """\
municipality: {municipality}
kind: request               # human-rights-city, convention, request or declaration
status: invited             # invited, under-consideration, declared, implementing or declined
# requested_by: nim          # from data/organisations.yaml
# conventions: [crpd]        # from data/conventions.yaml
# requests: [What is asked of the municipality]
""",
    "relations": """\
municipality: {municipality}
relations:
  - partner: A twin city
    kind: twin-city         # twin-city, letter-of-intent, memorandum-of-understanding, network, cooperation, platform
    country: SE
    since: {year}
""",
    "page": "",
}


def slugify(text: str) -> str:
    """An identifier from a title: ASCII letters, digits and single hyphens."""
    folded = unicodedata.normalize(
        "NFKD", text.replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("Æ", "Ae")
    )
    ascii_text = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-") or "document"


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scaffold(
    config: SiteConfig,
    doc_type: str,
    municipality: str,
    title: str,
    lang: str,
    today: dt.date,
    partner: str,
    organisation: str,
) -> tuple[Path, str]:
    """The path and text of a new document of `doc_type`."""
    section = urls.SECTIONS[doc_type]
    folder = config.content_dir / section / (municipality if doc_type != "page" else "")
    stem = slugify(title if doc_type == "page" else f"{municipality}-{title}")
    path = folder / f"{stem}.md"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}.md"
        number += 1
    schema = Path(os.path.relpath(config.root / "schemas" / f"{doc_type}.schema.json", path.parent)).as_posix()
    values = {
        "municipality": municipality,
        "partner": partner,
        "organisation": organisation,
        "date": today.isoformat(),
        "year": today.year,
        "short_year": f"{today.year % 100:02d}",
        "end_year": today.year + 4,
    }
    lines = [
        "---",
        f"# yaml-language-server: $schema={schema}",
        f"type: {doc_type}",
        f"title: {_yaml_text(title)}",
        f"lang: {lang}",
        _FIELDS[doc_type].format(**values).rstrip("\n"),
        _OPTIONAL_COMMON.format(**values).rstrip("\n"),
        "---",
        _BODY.get(lang, _BODY["en"]),
    ]
    return path, "\n".join(line for line in lines if line)
