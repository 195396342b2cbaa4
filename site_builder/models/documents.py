"""The content types: one Markdown file with YAML front matter per document.

The front matter's `type` field picks the model. Field docstrings become the
descriptions in the JSON Schemas that editors' editors use for completion.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .common import (
    CountryCode,
    CurrencyCode,
    HttpUrl,
    Identifier,
    Language,
    Person,
    ProjectFile,
    SdgCode,
    Source,
    StrictModel,
    Year,
)


class DocumentBase(StrictModel):
    """Fields every document has."""

    type: str
    """The content type; each type's model narrows it to its own name."""
    title: str
    """The document's title in its own language."""
    lang: Language
    """The language of the document's own text (title, body, quoted decisions)."""
    summary: str | None = None
    """A short summary in the editor's own words, in the document's language."""
    date: dt.date | None = None
    """The document's main date (the decision, adoption or letter), as YYYY-MM-DD."""
    topics: list[Identifier] = []
    """Topics from data/topics.yaml."""
    sdgs: list[SdgCode] = []
    """UN SDG goals, targets or indicators the document addresses."""
    source: Source | None = None
    """The original document this content was taken from."""
    editor_notes: list[str] = []
    """What the editor decided where the source was unclear, incomplete or wrong."""
    related: list[Identifier] = []
    """Identifiers of other documents on the site that a reader should see next."""
    public_contacts: list[str] = []
    """E-mail addresses or phone numbers in this document that belong to public roles (a post box, a
    switchboard) and may be published; any other such value is refused by the personal-data lint."""


# --- decisions -----------------------------------------------------------------

MotionKind = Literal[
    "recommendation",
    "proposal",
    "amendment",
    "addition",
    "deletion",
    "alternative",
    "postponement",
    "referral",
    "remark",
    "statement",
    "rejection",
    "support",
]
MotionResult = Literal["passed", "rejected", "withdrawn", "not-voted", "superseded"]


class Motion(StrictModel):
    """A proposal put forward in a meeting (Popolo Motion). An amendment is a motion about another motion."""

    id: Identifier
    """Identifier within the decision, used by votes, reservations and `amends`."""
    identifier: str | None = None
    """The label the protocol gives, e.g. "Y1"."""
    kind: MotionKind
    """recommendation (innstilling), proposal, amendment, addition (tilleggsforslag), deletion (strykningsforslag),
    alternative, postponement (utsettelse), referral (återremiss), remark (merknad), statement (uttalelse),
    rejection (avslag), support (bifall to another motion)."""
    mover: Person | None = None
    """Who moved it."""
    on_behalf_of: list[Identifier] = []
    """Parties the mover spoke for (identifiers in data/parties.yaml)."""
    supporters: list[Person] = []
    """Others who joined the motion."""
    supporting_parties: list[Identifier] = []
    """Parties that joined the motion (e.g. a majority remark)."""
    amends: Identifier | None = None
    """The motion this one amends, supports, opposes or replaces."""
    text: str
    """The motion's text, as the protocol gives it (Markdown)."""
    reasons: str | None = None
    """The mover's stated reasons, where the protocol gives them."""
    result: MotionResult | None = None
    """What became of it."""


VoteOption = Literal["yes", "no", "abstain", "absent", "not-voting"]


class VoteCount(StrictModel):
    """A number of votes for one option, optionally within one party group (Popolo Count)."""

    option: VoteOption
    """yes = for the motion voted on; no = against it."""
    value: Annotated[int, Field(ge=0)]
    """How many votes."""
    party: Identifier | None = None
    """The party group, an identifier in data/parties.yaml; empty for a total."""


class VoteEvent(StrictModel):
    """One vote in a meeting (Popolo VoteEvent)."""

    id: Identifier | None = None
    """Identifier within the decision, so a reservation can name the vote it concerns."""
    motion: Identifier | None = None
    """The motion voted on; `yes` counts are votes for it."""
    against: Identifier | None = None
    """In an alternative vote (alternativ votering), the motion it was put against."""
    description: str
    """The protocol's words for the vote, exactly."""
    result: Literal["pass", "fail"]
    """Whether `motion` passed."""
    unanimous: bool = False
    """True when the protocol says the vote was unanimous (enstemmig)."""
    counts: list[VoteCount] = []
    """Votes per option and party, as far as the protocol records them."""
    present: Annotated[int, Field(ge=0)] | None = None
    """Members present, when the protocol states it; the counts must then add up to it."""

    @model_validator(mode="after")
    def _counts_within_present(self) -> VoteEvent:
        if self.present is not None and self.counts:
            total = sum(c.value for c in self.counts if c.option in ("yes", "no", "abstain"))
            if total > self.present:
                raise ValueError(f"the counts add up to {total}, more than the {self.present} members present")
            # With both sides counted the vote is complete, so everyone present is in the counts.
            complete = {"yes", "no"} <= {c.option for c in self.counts}
            recorded = total + sum(c.value for c in self.counts if c.option == "not-voting")
            if complete and recorded != self.present:
                raise ValueError(
                    f"the counts add up to {recorded}, but {self.present} members were present; "
                    "add the missing votes (abstain, not-voting) or correct `present`"
                )
        return self


class Reservation(StrictModel):
    """A reservation (reservasjon) entered against a decision."""

    person: Person
    """Who entered it."""
    against: Identifier | None = None
    """The motion it opposes, when the protocol says."""
    vote: Identifier | None = None
    """The vote it concerns (a vote's `id`), when the protocol says."""
    text: str | None = None
    """The reservation's wording, or what it is in favour of."""


class ProtocolNote(StrictModel):
    """A protocol note (protokollsanteckning, protokolltilførsel)."""

    person: Person
    """Who entered the note, in their public role."""
    text: str | None = None
    """The note as the protocol gives it; empty if only its existence is recorded."""


ConsultationResult = Literal[
    "adopted",
    "adopted-amended",
    "recommended",
    "postponed",
    "referred",
    "noted",
    "statement",
    "rejected",
    "proposed",
    "unknown",
]


class Consultation(StrictModel):
    """One handling of the case by one body in one meeting (OParl Consultation, Meeting, AgendaItem)."""

    id: Identifier
    """Identifier within the decision, e.g. `bystyret-2019-08-29`."""
    body: Identifier
    """The body, an identifier in data/organisations.yaml."""
    date: dt.date | None = None
    """The meeting date as YYYY-MM-DD; leave empty if the source does not give it and say so in `editor_notes`."""
    agenda_item: str | None = None
    """The item's number in that meeting, e.g. "87/19" or "§ 199"."""
    authoritative: bool = False
    """True if this body made the binding decision (OParl `authoritative`)."""
    result: ConsultationResult
    """What the body did with the case."""
    result_text: str | None = None
    """The protocol's own words for the result, e.g. "Saken utsatt"."""
    decision: str | None = None
    """The body's decision (vedtak, beslut, innstilling) as the protocol words it, in Markdown."""
    statement: str | None = None
    """A statement (uttalelse, yttrande) the body gave on the case, in Markdown."""
    proceedings: str | None = None
    """What happened in the meeting (behandling) in the editor's words, in Markdown."""
    motions: list[Motion] = []
    """Every motion put forward in this meeting, in the order of the minutes."""
    votes: list[VoteEvent] = []
    """Every vote held in this meeting, in order."""
    reservations: list[Reservation] = []
    """Reservations entered in this meeting."""
    protocol_notes: list[ProtocolNote] = []
    """Protocol notes entered in this meeting."""
    not_participating: list[Person] = []
    """Members who did not take part in the decision."""
    editor_notes: list[str] = []
    """What the editor decided about this meeting where the source was unclear."""


class Attachment(StrictModel):
    """An attachment (vedlegg, bilaga) listed with the case."""

    title: str
    """The attachment's title as the case lists it."""
    included: bool = True
    """Whether the attachment's content is in the source document we publish from."""
    file: ProjectFile | None = None
    """The attachment itself, in the project's files/ folder; it is published beside the page."""


class Decision(DocumentBase):
    """A case decided (or to be decided) by a municipal council or committee."""

    type: Literal["decision"]
    """Always `decision`."""
    municipality: Identifier
    """The municipality that decides, an identifier in data/municipalities.yaml."""
    case_number: str | None = None
    """The case's number in the deciding body, e.g. "124/22" or "PS 0087/19"."""
    archive_number: str | None = None
    """The archive or registry number (arkivsak, diarienummer), e.g. "22/09373-1" or "KS 2021-1430"."""
    status: Literal["proposed", "adopted", "rejected", "postponed", "withdrawn", "unknown"]
    """Where the case stands according to the source."""
    deciding_body: Identifier | None = None
    """The body with the power to decide (vedtakskompetanse)."""
    case_officers: list[Person] = []
    """Officials who prepared the case (saksbehandler, handläggare) or signed the recommendation."""
    recommendation: list[str] = []
    """The proposed decision (innstilling, förslag till beslut), one point per item."""
    decision_points: list[str] = []
    """The final decision (vedtak, beslut), one point per item."""
    background: str | None = None
    """The case's background in the editor's words, in Markdown."""
    economic_consequences: str | None = None
    """What the case costs or saves, as the source states it."""
    consultations: list[Consultation] = []
    """Every handling of the case in a body, in date order."""
    sent_to: list[str] = []
    """Where the decision was sent (expedieras till, beslutet skickas till)."""
    attachments: list[Attachment] = []
    """Attachments listed with the case."""
    adopts: list[Identifier] = []
    """Strategies this decision adopts (identifiers of strategy documents)."""


# --- strategies ----------------------------------------------------------------

Direction = Literal["decrease", "increase", "reach"]


class DataPoint(StrictModel):
    """One value of an indicator: a baseline, a target or a measurement."""

    year: Year
    """The year the value is for (for a target: the target year)."""
    value: float | None = None
    """The number; a percentage is written as 23 for 23 %."""
    denominator: float | None = None
    """For fractions such as 9/10: the 10."""
    text: str | None = None
    """A value that is not a number, such as "alla nyckelpersoner"."""
    breakdown: Identifier | None = None
    """The breakdown the value belongs to (e.g. `girls`), one of the indicator's breakdowns."""
    note: str | None = None
    """A footnote on this one value."""

    @model_validator(mode="after")
    def _has_value(self) -> DataPoint:
        if self.value is None and self.text is None:
            raise ValueError("a value needs `value` (a number) or `text`")
        return self


class Breakdown(StrictModel):
    """A group the indicator is reported for, such as girls and boys."""

    id: Identifier
    """Identifier used by data points' `breakdown`."""
    label: str
    """The group's name in the document's language."""


class IndicatorSource(Source):
    """Where an indicator's values come from, with optional national statistics ids."""

    kolada_id: str | None = None
    """The Swedish Kolada KPI id, e.g. N07403."""
    ssb_table: str | None = None
    """The Statistics Norway (SSB) Statbank table id."""
    footnote: str | None = None
    """The source footnote exactly as the document prints it."""


class Indicator(StrictModel):
    """A measure of progress with a baseline, a target and measured values."""

    id: Identifier
    """Identifier, unique within the site; used in the indicator's URL."""
    name: str
    """The indicator as the document words it."""
    unit: str
    """The unit, e.g. "per 1 000 invånare", "%" or "antal av 10"."""
    value_type: Literal["number", "percent", "fraction", "text"] = "number"
    """How values read: plain numbers, percentages, fractions (value/denominator) or text."""
    direction: Direction | None = None
    """Which way counts as better; sources seldom say, so the editor decides and explains in `direction_note`."""
    direction_note: str | None = None
    """Why the editor chose the direction."""
    breakdowns: list[Breakdown] = []
    """Groups the values are given for, e.g. girls and boys; empty if none."""
    baseline: list[DataPoint] = []
    """The starting values (nuläge), one per breakdown where there are breakdowns."""
    target: list[DataPoint] = []
    """The target values (målvärde) with their target year."""
    values: list[DataPoint] = []
    """Measured values after the baseline, where known."""
    source: IndicatorSource | None = None
    """Where the values come from."""
    sdgs: list[SdgCode] = []
    """UN SDG goals, targets or indicators the indicator tracks."""
    note: str | None = None
    """Anything a reader needs to know about the indicator."""

    @model_validator(mode="after")
    def _breakdowns_known(self) -> Indicator:
        known = {b.id for b in self.breakdowns}
        for point in (*self.baseline, *self.target, *self.values):
            if point.breakdown is not None and point.breakdown not in known:
                raise ValueError(f"breakdown '{point.breakdown}' is not one of this indicator's breakdowns")
        if self.direction is not None and not self.direction_note:
            raise ValueError("say in `direction_note` why the editor chose this direction")
        return self


class GoalArea(StrictModel):
    """A goal area or focus area (målområde, fokusområde) of a strategy."""

    id: Identifier
    """Identifier within the strategy, used as the area's anchor on the page."""
    number: str | None = None
    """The number the document gives the area, e.g. "3.1" or "1"."""
    title: str
    """The area's title as the document words it."""
    aim: str | None = None
    """The area's purpose (syfte) as the document states it."""
    description: str | None = None
    """The area's text in the editor's words or quoted, in Markdown."""
    goals: list[str] = []
    """Goals (mål) under the area."""
    main_strategies: list[str] = []
    """Main strategies (hovedstrategi)."""
    priorities: list[str] = []
    """Prioritised action areas (prioriterade insatsområden)."""
    tools: list[str] = []
    """Example tools and methods (exempel på verktyg och metoder)."""
    desired_state: str | None = None
    """The state the area aims for (önskat läge), e.g. in 2030."""
    follow_up: str | None = None
    """How the area is followed up (uppföljning)."""
    steering_documents: list[str] = []
    """Related plans and steering documents."""
    networks: list[str] = []
    """Networks that serve the area."""
    indicators: list[Indicator] = []
    """The area's indicators."""
    sdgs: list[SdgCode] = []
    """UN SDG goals or targets the area addresses."""


class KeyFigure(StrictModel):
    """A figure the document states, such as a population count."""

    label: str
    """What the figure is, as the document words it."""
    value: float
    """The number."""
    unit: str | None = None
    """The unit, e.g. % or inhabitants."""
    year: Year | None = None
    """The year the figure is for."""
    source: Source | None = None
    """Where the figure comes from."""
    note: str | None = None
    """A footnote on the figure."""


class Strategy(DocumentBase):
    """A strategy, plan or programme with goal areas, goals and indicators."""

    type: Literal["strategy"]
    """Always `strategy`."""
    municipality: Identifier
    """The municipality whose strategy it is, an identifier in data/municipalities.yaml."""
    period_start: Year
    """First year the strategy covers."""
    period_end: Year
    """Last year the strategy covers (its target year)."""
    status: Literal["draft", "proposed", "adopted", "replaced", "expired"]
    """draft, proposed (put before the council), adopted, replaced or expired."""
    adopted_by: Identifier | None = None
    """The decision that adopted it (a decision document's identifier)."""
    owner: Identifier | None = None
    """The body responsible for it, an identifier in data/organisations.yaml."""
    overall_goal: str | None = None
    """The strategy's overall goal or vision, as the document words it."""
    expected_results: list[str] = []
    """What the strategy is meant to lead to."""
    replaces: list[str] = []
    """Earlier strategies and policies it replaces, by title and date."""
    goal_areas: list[GoalArea] = []
    """The goal or focus areas, in the document's order."""
    key_figures: list[KeyFigure] = []
    """Figures the document states that are not indicators, such as a population count."""

    @model_validator(mode="after")
    def _period(self) -> Strategy:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


# --- memberships and relations --------------------------------------------------


class Fee(StrictModel):
    """A membership fee."""

    amount: Annotated[float, Field(ge=0)]
    """The amount, in `currency`."""
    currency: CurrencyCode
    """The currency, ISO 4217."""
    per: Literal["year", "period", "once"] = "year"
    """year, period (the whole period) or once."""
    year: Year | None = None
    """The year the fee applies to; empty if it applies to every year of the period."""
    funding: str | None = None
    """How the fee is paid for, e.g. a named fund or budget."""


class Membership(DocumentBase):
    """A municipality's membership in a network or organisation (Popolo Membership)."""

    type: Literal["membership"]
    """Always `membership`."""
    municipality: Identifier
    """The member."""
    organisation: Identifier
    """The network or organisation, an identifier in data/organisations.yaml."""
    programme: str | None = None
    """A programme within the organisation the membership serves, e.g. «Trygg by Norge»."""
    start_year: Year
    """First year of the membership."""
    end_year: Year | None = None
    """Last year of the membership; empty while it runs on."""
    status: Literal["proposed", "active", "ended", "declined"]
    """proposed, active, ended or declined."""
    binding_years: Annotated[int, Field(ge=0)] | None = None
    """How many years the municipality is bound at a time."""
    fees: list[Fee] = []
    """The fees, one entry per fee (or per year when they differ)."""
    conditions: list[str] = []
    """Conditions of membership, as the source states them."""
    benefits: list[str] = []
    """What the municipality gets from it, in the editor's words."""
    decided_by: Identifier | None = None
    """The decision document that approved the membership."""


class Relation(StrictModel):
    """A twin-city, friendship or network relation of a municipality."""

    partner: str
    """The partner's name as the document gives it."""
    partner_municipality: Identifier | None = None
    """The partner's identifier in data/municipalities.yaml, if it is there."""
    partner_organisation: Identifier | None = None
    """For a network: its identifier in data/organisations.yaml, if it is there."""
    country: CountryCode | None = None
    """The partner's country (ISO code); see `note` for disputed territories."""
    region: str | None = None
    """A region or state, e.g. "California" or "Scotland"."""
    kind: Literal["twin-city", "letter-of-intent", "memorandum-of-understanding", "network", "cooperation", "platform"]
    """twin-city, letter-of-intent, memorandum-of-understanding, network, cooperation or platform."""
    since: Year | None = None
    """The year the relation began, where the source gives it."""
    goal_area: str | None = None
    """The strategy goal area the relation serves, where the document groups them."""
    note: str | None = None
    """A note, e.g. the source's footnote on a disputed territory."""


class Relations(DocumentBase):
    """A municipality's twin cities and networks, as one source lists them."""

    type: Literal["relations"]
    """Always `relations`."""
    municipality: Identifier
    """The municipality whose relations these are."""
    as_of: Year | None = None
    """The year the list describes."""
    relations: list[Relation]
    """Every relation the source lists, in its order."""


# --- agreements and commitments ---------------------------------------------------


class CooperationArea(StrictModel):
    """One area an agreement covers."""

    title: str
    """The area's title."""
    description: str | None = None
    """What the parties will do in this area, in Markdown."""


class Condition(StrictModel):
    """A condition an agreement depends on."""

    kind: Literal["matching-decision", "funding", "other"]
    """matching-decision: valid only if another party decides the same."""
    municipality: Identifier | None = None
    """The municipality the condition concerns, e.g. the party that must decide the same."""
    text: str
    """The condition as the source words it."""


class Agreement(DocumentBase):
    """A cooperation agreement between municipalities."""

    type: Literal["agreement"]
    """Always `agreement`."""
    municipality: Identifier
    """The municipality whose document this is."""
    parties: list[Identifier]
    """All parties (identifiers in data/municipalities.yaml), including `municipality`."""
    status: Literal["proposed", "adopted", "in-force", "ended"]
    """proposed, adopted, in-force or ended."""
    purpose: str | None = None
    """What the agreement is for, as the source words it."""
    areas: list[CooperationArea] = []
    """The areas of cooperation."""
    conditions: list[Condition] = []
    """Conditions the agreement depends on."""
    economic_consequences: str | None = None
    """What the agreement costs, as the source states it."""
    start_year: Year | None = None
    """The year the agreement starts, if known."""
    decided_by: Identifier | None = None
    """The decision document that approves it."""

    @model_validator(mode="after")
    def _parties(self) -> Agreement:
        if len(set(self.parties)) < 2:
            raise ValueError("an agreement needs at least two different parties")
        if self.municipality not in self.parties:
            raise ValueError("`municipality` must be one of `parties`")
        return self


FraElement = Literal["foundations", "structures", "tools"]


class LegalBasis(StrictModel):
    """A law, article or judgment the commitment rests on."""

    title: str
    """E.g. "Grunnloven § 92"."""
    note: str | None = None
    """What the source says about it."""


class OfferedResource(StrictModel):
    """A resource an institution offers the municipality."""

    title: str
    """The resource's name."""
    description: str | None = None
    """What the resource is."""
    url: HttpUrl | None = None
    """Where the resource is published (http or https)."""


class PeerStatus(StrictModel):
    """Another municipality's standing on the same commitment, as the source reports it."""

    municipality: Identifier
    """The other municipality, an identifier in data/municipalities.yaml."""
    status: str
    """In the editor's words, e.g. "formally declared human-rights city"."""


class Commitment(DocumentBase):
    """A human-rights commitment: a declaration, a convention to implement, or a request to consider one."""

    type: Literal["commitment"]
    """Always `commitment`."""
    municipality: Identifier
    """The municipality the commitment concerns."""
    kind: Literal["human-rights-city", "convention", "request", "declaration"]
    """human-rights-city (a declaration as a human-rights city), convention, request or declaration."""
    status: Literal["invited", "under-consideration", "declared", "implementing", "declined"]
    """invited, under-consideration, declared, implementing or declined."""
    requested_by: Identifier | None = None
    """The institution that asked, an identifier in data/organisations.yaml."""
    addressed_to: Person | None = None
    """Who the request was addressed to, in their public role."""
    signatories: list[Person] = []
    """Who signed or sent it, in their public roles."""
    conventions: list[Identifier] = []
    """Conventions named, identifiers in data/conventions.yaml."""
    fra_elements: list[FraElement] = []
    """The FRA human-rights-city framework elements the commitment touches."""
    requests: list[str] = []
    """What is asked of the municipality."""
    legal_basis: list[LegalBasis] = []
    """Laws, articles and judgments the commitment rests on."""
    resources_offered: list[OfferedResource] = []
    """Resources the institution offers the municipality."""
    peers: list[PeerStatus] = []
    """Other municipalities' status on the same commitment."""
    country: CountryCode | None = None
    """The country whose institution made the request, if it matters."""


class Page(DocumentBase):
    """A plain page, such as "About this site": a title and a Markdown body."""

    type: Literal["page"]
    """Always `page`."""


Document = Annotated[
    Decision | Strategy | Membership | Relations | Agreement | Commitment | Page,
    Field(discriminator="type"),
]

DOCUMENT_TYPES: dict[str, type[DocumentBase]] = {
    "decision": Decision,
    "strategy": Strategy,
    "membership": Membership,
    "relations": Relations,
    "agreement": Agreement,
    "commitment": Commitment,
    "page": Page,
}
"""Every content type by the value of its `type` field."""
