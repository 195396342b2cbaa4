"""A synthetic but valid corpus of N documents, for benchmarks.

`generate(n, root)` writes a whole site_builder project into `root`: site.yaml, registries in data/
(municipalities, their councils and executive committees, networks, national institutions, and the
shipped parties, topics, SDGs and conventions) and N documents of every content type in realistic
proportions: mostly decisions (about half of them with meetings, motions and votes per party),
strategies with goal areas and indicators (baselines, targets, measured values, some per breakdown),
memberships with yearly fees, agreements, commitments, twin-city relations and plain pages.

`generate_plain(n, root)` writes the same N titles and bodies as plain Markdown pages three times, for
the comparison with other generators: a site_builder project of `page` documents in one language
(root/site_builder), a Hugo site (root/hugo) and a MkDocs project (root/mkdocs).

Everything is drawn from a seeded random generator, so a corpus is the same on every machine.
The names are made up ("Nordvik", "Testnettverk 3"); nothing here describes a real municipality.

    python -m bench.corpus N DIR [--plain] [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
SHIPPED_REGISTRIES = ("parties", "topics", "sdgs", "conventions")
"""Registries copied from the repository's data/ as they are; the rest are generated."""

SHARES: list[tuple[str, float]] = [
    ("decision", 0.55),
    ("page", 0.15),
    ("membership", 0.09),
    ("strategy", 0.07),
    ("agreement", 0.06),
    ("commitment", 0.04),
    ("relations", 0.04),
]
"""The share of each content type in a corpus (decisions are what councils produce most)."""

SECTIONS = {
    "decision": "decisions",
    "strategy": "strategies",
    "membership": "memberships",
    "agreement": "agreements",
    "commitment": "commitments",
    "relations": "relations",
    "page": "pages",
}


def _split(text: str) -> list[str]:
    return text.split()


_WORDS = {
    "nb": _split(
        "kommunen kommunestyret formannskapet saken vedtaket strategien arbeidet innbyggerne tjenestene "
        "samarbeid trygghet forebygging beredskap kompetanse nettverket tiltakene planen handlingsplanen "
        "budsjettet økonomien ressursene barn unge eldre skolen helsetjenesten frivillige organisasjoner "
        "politiet næringslivet regionen fylket staten målene resultatene oppfølging rapportering "
        "medvirkning åpenhet inkludering bærekraft klima miljø mangfold likestilling menneskerettigheter "
        "skal bør kan vil må gjennomføres vurderes styrkes utvikles videreføres prioriteres følges "
        "opp i med for av til på om fra mellom gjennom innen etter under samt og eller men også "
        "særlig fortsatt tydelig felles lokale nasjonale nordiske viktige nye gode bedre sterkere"
    ),
    "sv": _split(
        "kommunen kommunfullmäktige kommunstyrelsen ärendet beslutet strategin arbetet invånarna "
        "tjänsterna samverkan trygghet förebyggande beredskap kompetens nätverket åtgärderna planen "
        "handlingsplanen budgeten ekonomin resurserna barn unga äldre skolan vården föreningar "
        "polisen näringslivet regionen länet staten målen resultaten uppföljning rapportering "
        "delaktighet öppenhet inkludering hållbarhet klimat miljö mångfald jämställdhet rättigheter "
        "ska bör kan vill måste genomföras prövas stärkas utvecklas fortsätta prioriteras följas "
        "upp i med för av till på om från mellan genom inom efter under samt och eller men också "
        "särskilt fortsatt tydligt gemensamma lokala nationella nordiska viktiga nya goda bättre starkare"
    ),
}
_HEADINGS = {
    "nb": ["Bakgrunn", "Saksopplysninger", "Vurdering", "Økonomi", "Oppfølging", "Konklusjon", "Medvirkning"],
    "sv": ["Bakgrund", "Ärendebeskrivning", "Bedömning", "Ekonomi", "Uppföljning", "Slutsats", "Delaktighet"],
}
_COUNCIL = {"nb": ("kommunestyret", "Kommunestyret"), "sv": ("kf", "Kommunfullmäktige")}
_EXECUTIVE = {"nb": ("formannskapet", "Formannskapet"), "sv": ("ks", "Kommunstyrelsen")}
_NAME_START = _split(
    "Nord Sør Øst Vest Berg Dal Fjell Sjø Strand Skog Elv Lund Holm Vik Ås Hav Sand Stein Mo Li Bø Rød Grøn "
    "Lang Stor Lille Ny Gam Ham Hol Fur Bjørk Ek Gran Lin Alm Rosen Sol Måne Ulv"
)
_NAME_END = _split("vik by dal berg heim stad fjord sund nes øy å land rud mark holm lund torp köping hamn bro")
_CURRENCY = {"NO": "NOK", "SE": "SEK"}


@dataclass
class Document:
    """One generated document: where it goes, its front matter and its Markdown body."""

    doc_type: str
    stem: str
    folder: str
    """The municipality's identifier (documents are filed per municipality), or "" for pages."""
    front: dict[str, Any]
    body: str

    @property
    def title(self) -> str:
        return str(self.front["title"])

    @property
    def relative_path(self) -> str:
        parts = ["content", SECTIONS[self.doc_type], *([self.folder] if self.folder else []), f"{self.stem}.md"]
        return "/".join(parts)


@dataclass
class Municipality:
    id: str
    name: str
    country: str
    lang: str
    council: str
    executive: str


@dataclass
class Corpus:
    """What `generate` wrote, for the benchmark runner and the tests."""

    root: Path
    documents: list[Document]
    municipalities: list[Municipality]
    counts: dict[str, int] = field(default_factory=dict)
    """Documents per content type."""
    indicators: int = 0
    votes: int = 0
    """Vote events with counts per party."""
    fees: int = 0

    @property
    def config(self) -> Path:
        return self.root / "site.yaml"


class _Writer:
    """Draws every name, number and sentence from one seeded generator."""

    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n = n
        self.parties: dict[str, list[str]] = {}
        for entry in yaml.safe_load((REPO / "data" / "parties.yaml").read_text(encoding="utf-8")):
            self.parties.setdefault(str(entry["country"]), []).append(str(entry["id"]))
        self.topics = [str(e["id"]) for e in yaml.safe_load((REPO / "data" / "topics.yaml").read_text("utf-8"))]
        self.conventions = [
            str(e["id"]) for e in yaml.safe_load((REPO / "data" / "conventions.yaml").read_text("utf-8"))
        ]

    # --- text ------------------------------------------------------------------------------------

    def sentence(self, lang: str, low: int = 8, high: int = 18) -> str:
        words = self.rng.choices(_WORDS[lang], k=self.rng.randint(low, high))
        if self.rng.random() < 0.15:
            words.insert(self.rng.randrange(len(words)), str(self.rng.randint(2, 95)))
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, lang: str, sentences: tuple[int, int] = (3, 6)) -> str:
        return " ".join(self.sentence(lang) for _ in range(self.rng.randint(*sentences)))

    def phrase(self, lang: str, low: int = 3, high: int = 7) -> str:
        return self.sentence(lang, low, high).rstrip(".")

    def body(self, lang: str) -> str:
        """A Markdown body of a few sections, about 2 to 5 KB: headings, paragraphs, lists, a table, links."""
        parts = [self.paragraph(lang)]
        for heading in self.rng.sample(_HEADINGS[lang], self.rng.randint(2, 5)):
            parts.append(f"## {heading}")
            for _ in range(self.rng.randint(1, 3)):
                text = self.paragraph(lang)
                if self.rng.random() < 0.3:
                    words = text.split(" ")
                    at = self.rng.randrange(1, len(words) - 2)
                    words[at] = f"**{words[at]}**"
                    if self.rng.random() < 0.5:
                        words[at + 1] = f"[{words[at + 1]}](https://example.org/dokument/{self.rng.randint(1, 999)})"
                    text = " ".join(words)
                parts.append(text)
            roll = self.rng.random()
            if roll < 0.3:
                parts.append("\n".join(f"- {self.phrase(lang)}" for _ in range(self.rng.randint(2, 5))))
            elif roll < 0.4:
                rows = [f"| {self.phrase(lang, 1, 3)} | {self.rng.randint(1, 900)} |" for _ in range(3)]
                parts.append(
                    "\n".join([f"| {self.phrase(lang, 1, 2)} | {self.phrase(lang, 1, 1)} |", "|---|---:|", *rows])
                )
        return "\n\n".join(parts) + "\n"

    def title(self, lang: str) -> str:
        return self.phrase(lang, 4, 9)

    def date(self, low: int = 2015, high: int = 2024) -> dt.date:
        return dt.date(self.rng.randint(low, high), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def common(self, doc_type: str, title: str, lang: str) -> dict[str, Any]:
        front: dict[str, Any] = {
            "type": doc_type,
            "title": title,
            "lang": lang,
            "summary": self.paragraph(lang, (1, 3)),
        }
        front["topics"] = sorted(self.rng.sample(self.topics, self.rng.randint(1, 3)))
        if self.rng.random() < 0.7:
            front["sdgs"] = sorted({str(self.rng.randint(1, 17)) for _ in range(self.rng.randint(1, 3))}, key=int)
        return front

    # --- registries ------------------------------------------------------------------------------

    def municipalities(self, count: int) -> list[Municipality]:
        names = [a + b for a in _NAME_START for b in _NAME_END]
        self.rng.shuffle(names)
        made = []
        for index in range(count):
            base = names[index % len(names)]
            name = base if index < len(names) else f"{base} {index // len(names) + 1}"
            country = "NO" if index % 5 < 3 else "SE"
            lang = "nb" if country == "NO" else "sv"
            identifier = f"{_ascii(name)}-{index + 1}"
            made.append(
                Municipality(
                    id=identifier,
                    name=name,
                    country=country,
                    lang=lang,
                    council=f"{identifier}-{_COUNCIL[lang][0]}",
                    executive=f"{identifier}-{_EXECUTIVE[lang][0]}",
                )
            )
        return made

    def registries(
        self, municipalities: list[Municipality], networks: int
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        municipality_entries: list[dict[str, Any]] = []
        for index, m in enumerate(municipalities):
            entry: dict[str, Any] = {"id": m.id, "name": m.name, "country": m.country}
            entry["numbers"] = [{"code": f"{1000 + index:04d}"}]
            entry["coordinates"] = {
                "lat": round(self.rng.uniform(55.5, 70.5), 4),
                "lon": round(self.rng.uniform(5.0, 25.0), 4),
            }
            municipality_entries.append(entry)
        organisations: list[dict[str, Any]] = []
        for number in range(1, networks + 1):
            members = self.rng.sample(municipalities, min(len(municipalities), self.rng.randint(3, 25)))
            organisations.append(
                {
                    "id": f"testnettverk-{number}",
                    "name": f"Testnettverk {number}",
                    "kind": "network",
                    "country": self.rng.choice(["NO", "SE", "DK", "FI"]),
                    "founded": self.rng.randint(1990, 2020),
                    "description": {lang: self.sentence(lang) for lang in ("nb", "sv")},
                    "members": [{"municipality": m.id} for m in sorted(members, key=lambda m: m.id)],
                }
            )
        for country in ("NO", "SE"):
            organisations.append(
                {"id": f"institusjon-{country.lower()}", "name": f"Testinstitusjon {country}",
                 "kind": "national-institution", "country": country}
            )  # fmt: skip
        for m in municipalities:
            organisations.append(
                {"id": m.council, "name": _COUNCIL[m.lang][1], "kind": "council", "municipality": m.id}
            )
            organisations.append(
                {"id": m.executive, "name": _EXECUTIVE[m.lang][1], "kind": "executive-committee", "municipality": m.id}
            )
        return municipality_entries, organisations

    # --- documents -------------------------------------------------------------------------------

    def decision(self, stem: str, m: Municipality, corpus: Corpus) -> Document:
        lang = m.lang
        date = self.date()
        front = self.common("decision", self.title(lang), lang)
        number = self.rng.randint(1, 250)
        front.update(
            municipality=m.id,
            case_number=f"{number}/{date.year % 100:02d}",
            archive_number=f"{date.year % 100:02d}/{self.rng.randint(100, 9999)}-{self.rng.randint(1, 9)}",
            date=date,
            status=self.rng.choice(["adopted"] * 6 + ["proposed", "rejected", "postponed"]),
            deciding_body=m.council,
            case_officers=[{"name": f"Saksbehandler {self.rng.randint(1, 400)}", "role": "saksbehandler"}],
            recommendation=[self.sentence(lang) for _ in range(self.rng.randint(1, 3))],
            decision_points=[self.sentence(lang) for _ in range(self.rng.randint(1, 4))],
            background=self.paragraph(lang),
        )
        if self.rng.random() < 0.4:
            front["economic_consequences"] = self.paragraph(lang, (1, 3))
        if self.rng.random() < 0.6:
            front["consultations"] = self.consultations(m, date, corpus)
        if self.rng.random() < 0.3:
            front["sent_to"] = [self.phrase(lang, 1, 3) for _ in range(self.rng.randint(1, 3))]
        return Document("decision", stem, m.id, front, self.body(lang))

    def consultations(self, m: Municipality, date: dt.date, corpus: Corpus) -> list[dict[str, Any]]:
        lang = m.lang
        meetings: list[dict[str, Any]] = []
        bodies = [m.executive, m.council] if self.rng.random() < 0.7 else [m.council]
        for index, body in enumerate(bodies):
            when = date - dt.timedelta(days=14 * (len(bodies) - 1 - index))
            last = index == len(bodies) - 1
            meeting: dict[str, Any] = {
                "id": f"{body.rsplit('-', 1)[-1]}-{when.isoformat()}",
                "body": body,
                "date": when,
                "agenda_item": f"{self.rng.randint(1, 250)}/{when.year % 100:02d}",
                "authoritative": last,
                "result": "adopted" if last else "recommended",
                "decision": self.paragraph(lang, (1, 2)),
            }
            if self.rng.random() < 0.75:
                self.motions_and_votes(meeting, m, corpus, prefix=f"m{index + 1}-")
            meetings.append(meeting)
        return meetings

    def motions_and_votes(self, meeting: dict[str, Any], m: Municipality, corpus: Corpus, prefix: str) -> None:
        """Motions and votes per party; identifiers start with `prefix`, unique within the decision."""
        lang = m.lang
        parties = self.parties[m.country]
        recommendation = f"{prefix}innstilling"
        motions: list[dict[str, Any]] = [
            {"id": recommendation, "kind": "recommendation", "text": self.sentence(lang), "result": "passed"}
        ]
        for number in range(1, self.rng.randint(1, 4)):
            party = self.rng.choice(parties)
            motions.append(
                {
                    "id": f"{prefix}forslag-{number}",
                    "identifier": f"F{number}",
                    "kind": self.rng.choice(["amendment", "addition", "alternative"]),
                    "mover": {"name": f"Representant {self.rng.randint(1, 400)}", "party": party},
                    "on_behalf_of": [party],
                    "amends": recommendation,
                    "text": self.sentence(lang),
                    "result": self.rng.choice(["passed", "rejected", "rejected"]),
                }
            )
        seats = self.rng.choice([35, 43, 47, 51, 61, 67])
        votes: list[dict[str, Any]] = []
        for motion in motions:
            groups = self.rng.sample(parties, self.rng.randint(3, len(parties)))
            counts: list[dict[str, Any]] = []
            remaining = seats
            for party in sorted(groups):
                size = min(remaining, self.rng.randint(1, 12))
                remaining -= size
                if size:
                    counts.append({"option": self.rng.choice(["yes", "yes", "no"]), "value": size, "party": party})
            yes = sum(c["value"] for c in counts if c["option"] == "yes")
            no = sum(c["value"] for c in counts if c["option"] == "no")
            votes.append(
                {
                    "id": f"votering-{motion['id']}",
                    "motion": motion["id"],
                    "description": self.sentence(lang, 4, 9),
                    "result": "pass" if yes > no else "fail",
                    "counts": counts,
                    # Everyone present is in the counts: each party group voted as a whole.
                    "present": sum(c["value"] for c in counts),
                }
            )
            motion["result"] = "passed" if yes > no else "rejected"
            corpus.votes += 1
        meeting["motions"] = motions
        meeting["votes"] = votes

    def strategy(self, stem: str, m: Municipality, adopted_by: str | None, corpus: Corpus) -> Document:
        lang = m.lang
        start = self.rng.randint(2014, 2023)
        end = start + self.rng.randint(3, 10)
        front = self.common("strategy", self.title(lang), lang)
        front.update(
            municipality=m.id,
            period_start=start,
            period_end=end,
            status=self.rng.choice(["adopted", "adopted", "adopted", "proposed", "expired"]),
            owner=m.executive,
            overall_goal=self.sentence(lang),
            expected_results=[self.phrase(lang) for _ in range(self.rng.randint(2, 5))],
        )
        if adopted_by is not None:
            front["adopted_by"] = adopted_by
        areas = []
        for number in range(1, self.rng.randint(2, 6)):
            area: dict[str, Any] = {
                "id": f"omrade-{number}",
                "number": str(number),
                "title": self.phrase(lang),
                "description": self.paragraph(lang),
                "goals": [self.sentence(lang) for _ in range(self.rng.randint(1, 3))],
                "priorities": [self.phrase(lang) for _ in range(self.rng.randint(0, 4))],
            }
            # Every strategy measures something: its first area has at least one indicator.
            count = self.rng.randint(1 if number == 1 else 0, 3)
            indicators = [self.indicator(f"{stem}-{number}-{k}", lang, start, end) for k in range(count)]
            if indicators:
                area["indicators"] = indicators
                corpus.indicators += len(indicators)
            areas.append(area)
        front["goal_areas"] = areas
        return Document("strategy", stem, m.id, front, self.body(lang))

    def indicator(self, identifier: str, lang: str, start: int, end: int) -> dict[str, Any]:
        percent = self.rng.random() < 0.5
        direction = self.rng.choice(["increase", "decrease"])
        base = round(self.rng.uniform(5, 80), 1)
        target = round(base * (1.3 if direction == "increase" else 0.7), 1)
        indicator: dict[str, Any] = {
            "id": identifier,
            "name": self.phrase(lang, 4, 9),
            "unit": "%" if percent else "per 1 000",
            "value_type": "percent" if percent else "number",
            "direction": direction,
            "direction_note": self.sentence(lang, 5, 10),
        }
        breakdowns: list[str | None] = [None]
        if self.rng.random() < 0.25:
            breakdowns = ["jenter", "gutter"]
            indicator["breakdowns"] = [{"id": "jenter", "label": "Jenter"}, {"id": "gutter", "label": "Gutter"}]
        baseline: list[dict[str, Any]] = []
        targets: list[dict[str, Any]] = []
        values: list[dict[str, Any]] = []
        for breakdown in breakdowns:
            extra = {"breakdown": breakdown} if breakdown else {}
            offset = self.rng.uniform(-3, 3)
            baseline.append({"year": start, "value": round(base + offset, 1), **extra})
            targets.append({"year": end, "value": round(target + offset, 1), **extra})
            current = base + offset
            for year in range(start + 1, min(end, 2024) + 1):
                current += (target - base) / max(1, end - start) * self.rng.uniform(0.2, 1.6)
                values.append({"year": year, "value": round(current, 1), **extra})
        indicator.update(baseline=baseline, target=targets)
        if values:
            indicator["values"] = values
        indicator["source"] = {"title": self.phrase(lang, 2, 5), "publisher": "Teststatistikk", "year": start}
        return indicator

    def membership(self, stem: str, m: Municipality, network: str, decided_by: str | None, corpus: Corpus) -> Document:
        lang = m.lang
        start = self.rng.randint(2012, 2023)
        end = start + self.rng.randint(1, 5) if self.rng.random() < 0.6 else None
        front = self.common("membership", self.title(lang), lang)
        front.update(municipality=m.id, organisation=network, start_year=start)
        if end is not None:
            front["end_year"] = end
        front.update(
            status=self.rng.choice(["active", "active", "ended", "proposed"]),
            binding_years=self.rng.randint(1, 3),
        )
        amount = self.rng.randrange(10_000, 200_000, 500)
        fees = []
        for year in range(start, (end or start + 2) + 1):
            fees.append({"amount": amount, "currency": _CURRENCY[m.country], "per": "year", "year": year,
                         "funding": self.phrase(lang, 2, 5)})  # fmt: skip
            amount = round(amount * self.rng.uniform(1.0, 1.08))
        front["fees"] = fees
        corpus.fees += len(fees)
        front["conditions"] = [self.sentence(lang) for _ in range(self.rng.randint(1, 3))]
        front["benefits"] = [self.sentence(lang) for _ in range(self.rng.randint(1, 4))]
        if decided_by is not None:
            front["decided_by"] = decided_by
        date = self.date(start, start)
        front["date"] = date
        return Document("membership", stem, m.id, front, self.body(lang))

    def agreement(self, stem: str, m: Municipality, partner: Municipality, decided_by: str | None) -> Document:
        lang = m.lang
        front = self.common("agreement", self.title(lang), lang)
        front.update(
            municipality=m.id,
            parties=[m.id, partner.id],
            status=self.rng.choice(["proposed", "adopted", "in-force", "ended"]),
            purpose=self.paragraph(lang, (1, 2)),
            areas=[
                {"title": self.phrase(lang), "description": self.paragraph(lang, (1, 3))}
                for _ in range(self.rng.randint(1, 4))
            ],
            conditions=[{"kind": "matching-decision", "municipality": partner.id, "text": self.sentence(lang)}],
            start_year=self.rng.randint(2015, 2024),
        )
        if decided_by is not None:
            front["decided_by"] = decided_by
        return Document("agreement", stem, m.id, front, self.body(lang))

    def commitment(self, stem: str, m: Municipality, peer: Municipality) -> Document:
        lang = m.lang
        front = self.common("commitment", self.title(lang), lang)
        front.update(
            municipality=m.id,
            kind=self.rng.choice(["human-rights-city", "convention", "request", "declaration"]),
            status=self.rng.choice(["invited", "under-consideration", "declared", "implementing"]),
            requested_by=f"institusjon-{m.country.lower()}",
            addressed_to={"role": "ordfører" if lang == "nb" else "kommunstyrelsens ordförande"},
            signatories=[{"role": "direktør", "affiliation": f"Testinstitusjon {m.country}"}],
            conventions=sorted(self.rng.sample(self.conventions, self.rng.randint(1, 2))),
            fra_elements=sorted(self.rng.sample(["foundations", "structures", "tools"], self.rng.randint(1, 3))),
            requests=[self.sentence(lang) for _ in range(self.rng.randint(1, 3))],
            legal_basis=[{"title": f"Testlov § {self.rng.randint(1, 120)}", "note": self.sentence(lang)}],
            resources_offered=[
                {
                    "title": self.phrase(lang),
                    "description": self.sentence(lang),
                    "url": f"https://example.org/ressurs/{self.rng.randint(1, 999)}",
                }
                for _ in range(self.rng.randint(1, 3))
            ],
            peers=[{"municipality": peer.id, "status": self.phrase(lang)}],
            country=m.country,
        )
        return Document("commitment", stem, m.id, front, self.body(lang))

    def relations(self, stem: str, m: Municipality, others: list[Municipality]) -> Document:
        lang = m.lang
        front = self.common("relations", self.title(lang), lang)
        relations: list[dict[str, Any]] = []
        for other in self.rng.sample(others, min(len(others), self.rng.randint(2, 8))):
            relations.append({"partner": other.name, "partner_municipality": other.id, "country": other.country,
                              "kind": "twin-city", "since": self.rng.randint(1945, 2020)})  # fmt: skip
        for _ in range(self.rng.randint(1, 6)):
            relations.append({"partner": self.phrase(lang, 1, 3), "country": self.rng.choice(["DE", "PL", "US", "FR"]),
                              "kind": self.rng.choice(["twin-city", "cooperation", "network"]),
                              "since": self.rng.randint(1950, 2022)})  # fmt: skip
        front.update(municipality=m.id, as_of=self.rng.randint(2015, 2024), relations=relations)
        return Document("relations", stem, m.id, front, self.body(lang))

    def page(self, stem: str, lang: str) -> Document:
        front = self.common("page", self.title(lang), lang)
        return Document("page", stem, "", front, self.body(lang))


def _ascii(name: str) -> str:
    table = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ä": "a", "ö": "o", "Ø": "o", "Æ": "ae", "Å": "a"})
    return name.translate(table).lower().replace(" ", "-")


def type_counts(n: int) -> dict[str, int]:
    """How many documents of each type a corpus of `n` has; at least one of each once n allows."""
    counts = {doc_type: int(n * share) for doc_type, share in SHARES}
    if n >= len(SHARES):
        for doc_type in counts:
            counts[doc_type] = max(1, counts[doc_type])
    counts["decision"] += n - sum(counts.values())
    return counts


def make_documents(n: int, seed: int = 1) -> tuple[list[Document], list[Municipality], _Writer, Corpus]:
    """The documents of a corpus of `n`, in memory."""
    writer = _Writer(n, seed)
    municipalities = writer.municipalities(max(3, min(n // 10, 1500)))
    corpus = Corpus(root=Path(), documents=[], municipalities=municipalities, counts=type_counts(n))
    rng = writer.rng
    documents: list[Document] = []
    decisions_of: dict[str, list[str]] = {}
    for index in range(corpus.counts["decision"]):
        m = rng.choice(municipalities)
        document = writer.decision(f"{m.id}-sak-{index + 1}", m, corpus)
        decisions_of.setdefault(m.id, []).append(document.stem)
        documents.append(document)
    networks = [f"testnettverk-{k}" for k in range(1, _network_count(n) + 1)]

    def a_decision(m: Municipality) -> str | None:
        own = decisions_of.get(m.id)
        return rng.choice(own) if own and rng.random() < 0.7 else None

    for index in range(corpus.counts["strategy"]):
        m = rng.choice(municipalities)
        documents.append(writer.strategy(f"{m.id}-strategi-{index + 1}", m, a_decision(m), corpus))
    for index in range(corpus.counts["membership"]):
        m = rng.choice(municipalities)
        documents.append(
            writer.membership(f"{m.id}-medlemskap-{index + 1}", m, rng.choice(networks), a_decision(m), corpus)
        )
    for index in range(corpus.counts["agreement"]):
        m, partner = rng.sample(municipalities, 2)
        documents.append(writer.agreement(f"{m.id}-avtale-{index + 1}", m, partner, a_decision(m)))
    for index in range(corpus.counts["commitment"]):
        m, peer = rng.sample(municipalities, 2)
        documents.append(writer.commitment(f"{m.id}-forpliktelse-{index + 1}", m, peer))
    for index in range(corpus.counts["relations"]):
        m = rng.choice(municipalities)
        documents.append(
            writer.relations(f"{m.id}-relasjoner-{index + 1}", m, [o for o in municipalities if o is not m])
        )
    for index in range(corpus.counts["page"]):
        documents.append(writer.page(f"side-{index + 1}", rng.choice(["nb", "sv"])))
    for document in documents:
        if document.doc_type != "page" and rng.random() < 0.2:
            document.front["related"] = [rng.choice(documents).stem]
            if document.front["related"] == [document.stem]:
                del document.front["related"]
    corpus.documents = documents
    return documents, municipalities, writer, corpus


def _network_count(n: int) -> int:
    return max(2, min(60, n // 100))


def _dump(value: Any) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(value, Dumper=dumper, allow_unicode=True, sort_keys=False, width=110))


def write_document(root: Path, document: Document) -> Path:
    path = root / document.relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{_dump(document.front)}---\n\n{document.body}", encoding="utf-8")
    return path


SITE_YAML = """\
name: {nb: Testkorpus, sv: Testkorpus, en: Test corpus}
description: {nb: Et syntetisk korpus for ytelsesmålinger., sv: Ett syntetiskt korpus för prestandamätningar., en: A synthetic corpus for benchmarks.}
base_url: https://example.org/korpus/
languages: [nb, sv, en]
default_language: nb
licence: {id: CC-BY-4.0, name: CC BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}
repository: {url: https://github.com/example/korpus}
"""


def generate(n: int, root: Path, seed: int = 1) -> Corpus:
    """Write a project of `n` documents of every content type into `root` (created; must not hold content)."""
    documents, municipalities, writer, corpus = make_documents(n, seed)
    corpus.root = root
    if (root / "content").exists():
        raise FileExistsError(f"{root / 'content'} exists; generate into an empty folder")
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for name in SHIPPED_REGISTRIES:
        shutil.copyfile(REPO / "data" / f"{name}.yaml", root / "data" / f"{name}.yaml")
    municipality_entries, organisations = writer.registries(municipalities, _network_count(n))
    (root / "data" / "municipalities.yaml").write_text(_dump(municipality_entries), encoding="utf-8")
    (root / "data" / "organisations.yaml").write_text(_dump(organisations), encoding="utf-8")
    for document in documents:
        write_document(root, document)
    return corpus


def change_one(corpus: Corpus, generation: int = 1) -> Path:
    """Edit one decision's body the way an editor would (a sentence added); return the file changed."""
    document = next(d for d in corpus.documents if d.doc_type == "decision")
    path = corpus.root / document.relative_path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\nTillegg nummer {generation} til saken.\n", encoding="utf-8")
    return path


# --- the plain Markdown corpus for Hugo and MkDocs ----------------------------------------------

PLAIN_SITE_YAML = """\
name: {nb: Testkorpus}
base_url: https://example.org/korpus/
languages: [nb]
default_language: nb
licence: {id: CC-BY-4.0, name: CC BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}
"""

HUGO_CONFIG = """\
baseURL = "https://example.org/korpus/"
languageCode = "nb"
title = "Testkorpus"
disableKinds = ["taxonomy", "term"]
"""

HUGO_BASEOF = """\
<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} – {{ .Site.Title }}</title>
</head>
<body>
<header><a href="{{ "" | relURL }}">{{ .Site.Title }}</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"""

HUGO_SINGLE = """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ .Content }}
</article>
{{ end }}
"""

HUGO_LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}
</ul>
{{ end }}
"""

MKDOCS_YML = """\
site_name: Testkorpus
site_url: https://example.org/korpus/
theme:
  name: mkdocs
markdown_extensions:
  - tables
  - def_list
  - footnotes
  - toc
"""


@dataclass
class PlainCorpus:
    """Where `generate_plain` wrote the three projects of the same N pages."""

    root: Path
    pages: int

    @property
    def site_builder(self) -> Path:
        return self.root / "site_builder" / "site.yaml"

    @property
    def hugo(self) -> Path:
        return self.root / "hugo"

    @property
    def mkdocs(self) -> Path:
        return self.root / "mkdocs" / "mkdocs.yml"


def generate_plain(n: int, root: Path, seed: int = 1) -> PlainCorpus:
    """The titles and bodies of a corpus of `n` as plain Markdown pages, for site_builder, Hugo and MkDocs."""
    documents, _, _, _ = make_documents(n, seed)
    ours, hugo, mkdocs = root / "site_builder", root / "hugo", root / "mkdocs"
    for folder in (ours / "content" / "pages", hugo / "content" / "pages", hugo / "layouts" / "_default",
                   mkdocs / "docs" / "pages"):  # fmt: skip
        folder.mkdir(parents=True, exist_ok=True)
    (ours / "site.yaml").write_text(PLAIN_SITE_YAML, encoding="utf-8")
    (hugo / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in (("baseof", HUGO_BASEOF), ("single", HUGO_SINGLE), ("list", HUGO_LIST)):
        (hugo / "layouts" / "_default" / f"{name}.html").write_text(text, encoding="utf-8")
    (mkdocs / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (mkdocs / "docs" / "index.md").write_text("# Testkorpus\n", encoding="utf-8")
    for document in documents:
        title, body, stem = document.title, document.body, document.stem
        (ours / "content" / "pages" / f"{stem}.md").write_text(
            f"---\n{_dump({'type': 'page', 'title': title, 'lang': 'nb'})}---\n\n{body}", encoding="utf-8"
        )
        (hugo / "content" / "pages" / f"{stem}.md").write_text(
            f"---\n{_dump({'title': title})}---\n\n{body}", encoding="utf-8"
        )
        (mkdocs / "docs" / "pages" / f"{stem}.md").write_text(f"# {title}\n\n{body}", encoding="utf-8")
    return PlainCorpus(root, len(documents))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("dir", type=Path, help="folder to write into (created)")
    parser.add_argument("--plain", action="store_true", help="write the plain Markdown corpus for Hugo and MkDocs")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.plain:
        plain = generate_plain(args.n, args.dir, args.seed)
        print(f"Wrote {plain.pages} plain pages for site_builder, Hugo and MkDocs into {args.dir}")
        return 0
    corpus = generate(args.n, args.dir, args.seed)
    counts = ", ".join(f"{k} {v}" for k, v in corpus.counts.items())
    print(
        f"Wrote {len(corpus.documents)} documents ({counts}) for {len(corpus.municipalities)} municipalities, "
        f"with {corpus.indicators} indicators, {corpus.votes} votes and {corpus.fees} fees, into {args.dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
