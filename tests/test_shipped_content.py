"""The five source documents are on the built site: each fact an editor carried over is findable."""

from __future__ import annotations

import re

import pytest
from conftest import page_text

TROMSO_DECISION = "nb/decisions/tromso-sak-124-22-nordic-safe-cities/index.html"
TROMSO_MEMBERSHIP = "nb/memberships/tromso-nordic-safe-cities-2022-2024/index.html"
NSC = "nb/organisations/nordic-safe-cities/index.html"
TRONDHEIM_DECISION = "nb/decisions/trondheim-ps-87-19-internasjonal-strategi/index.html"
TRONDHEIM_STRATEGY = "nb/strategies/trondheim-internasjonal-strategi-2019-2022/index.html"
TRONDHEIM_RELATIONS = "nb/relations/trondheim-vennskapsbyer-og-nettverk/index.html"
NORRTALJE_DECISION = "sv/decisions/norrtalje-ks-199-trygghets-och-sakerhetsstrategi/index.html"
NORRTALJE_STRATEGY = "sv/strategies/norrtalje-trygghets-och-sakerhetsstrategi-2030/index.html"
LINKOPING_DECISION = "sv/decisions/linkoping-samverkan-norrkoping/index.html"
LINKOPING_AGREEMENT = "sv/agreements/linkoping-norrkoping-samverkan-mot-brottslighet/index.html"
NIM_COMMITMENT = "nb/commitments/tromso-nim-human-rights-city/index.html"


def assert_all_on_page(result, path: str, facts: list[str]) -> None:
    text = page_text(result, path)
    missing = [fact for fact in facts if fact not in text]
    assert not missing, f"{path} lacks {missing}"


def table_rows(result, path: str) -> list[str]:
    html = result.files[path].decode("utf-8")
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    return [re.sub(r"[\s\u00a0\u202f]+", " ", re.sub(r"<[^>]+>", " ", row)) for row in rows]


def test_tromso_nordic_safe_cities_decision(shipped_build):
    assert_all_on_page(
        shipped_build,
        TROMSO_DECISION,
        [
            "124/22",
            "22/09373-1",
            "Formannskapet",
            "Kommunestyret (Tromsø)",
            "Tromsø kommune blir medlem av Nordic Safe Cities 2022-2024",
            "Tromsø deltar i «Trygg by Norge»-satsningen",
            "75 000 DK finansieres gjennom formannskapets disposisjonsfond for 2022",
            "handlingsplan for 2023-2027",
            "23. august 2022",
        ],
    )


def test_tromso_membership_cost_period_and_binding(shipped_build):
    assert_all_on_page(
        shipped_build,
        TROMSO_MEMBERSHIP,
        [
            "Nordic Safe Cities",
            "«Trygg by Norge»",
            "75 000 DKK per år",
            "2022–2024",
            "2 år av gangen",
            "formannskapets disposisjonsfond",
        ],
    )
    text = page_text(shipped_build, TROMSO_MEMBERSHIP)
    assert "politisk forankring" in text
    assert "Medlemmer (20)" in text


NSC_MEMBERS = [
    "København",
    "Aalborg",
    "Esbjerg",
    "Odense",
    "Stockholm",
    "Malmö",
    "Göteborg",
    "Helsinki",
    "Vantaa",
    "Reykjavík",
    "Oslo",
    "Larvik",
    "Sarpsborg",
    "Fredrikstad",
    "Kristiansand",
    "Haugesund",
    "Arendal",
    "Bærum",
    "Skien",
    "Stavanger",
]


def test_nordic_safe_cities_has_its_twenty_members(shipped_build):
    assert_all_on_page(shipped_build, NSC, [*NSC_MEMBERS, "Medlemmer (20)"])
    assert_all_on_page(shipped_build, NSC, ["Trygg by Norge- satsningen gjennom medlemskap i Nordic Safe Cities"])


def test_trondheim_case_history_meetings(shipped_build):
    rows = table_rows(shipped_build, TRONDHEIM_DECISION)
    expected = [
        ("26. mars 2019", "Mangfoldsrådet"),
        ("26. mars 2019", "Kommunalt råd for mennesker med nedsatt funksjonsevne"),
        ("26. mars 2019", "Trondheim Studentråd"),
        ("2. april 2019", "Ungdommens bystyre"),
        ("9. mai 2019", "Finans- og næringskomiteen"),
        ("28. mai 2019", "Finans- og næringskomiteen"),
        ("13. juni 2019", "Bystyret"),
        ("29. august 2019", "Bystyret"),
    ]
    for date, body in expected:
        assert any(date in row and body in row for row in rows), f"no meeting row {date} {body}"
    assert any("13. juni 2019" in row and "Utsatt" in row for row in rows)
    assert any("29. august 2019" in row and "Vedtatt" in row for row in rows)


def test_trondheim_amendments_and_votes_by_party(shipped_build):
    assert_all_on_page(
        shipped_build,
        TRONDHEIM_DECISION,
        [
            "Silje Salomonsen",
            "Ola Lund Renolen",
            "Elin Marie Andreassen",
            "Michael Momyr",
            "Roar Aas",
            "Tom Christian Lindvåg",
            "PS 0087/19",
            "19/8286",
            "Ved alternativ votering mellom innstillingen avsnitt 3 og Renolens forslag ble innstillingen vedtatt "
            "mot 12 stemmer (1Ap, 5MDG, 4SV, 2R) avgitt for Renolens forslag.",
            "Salomonsens forslag ble vedtatt mot 5 stemmer (3V, 2KrF).",
            "Renolens tilleggsforslag ble vedtatt mot 4 stemmer (4FrP).",
            "Andreassens forslag ble vedtatt mot 2 stemmer (2R).",
            "Nytt målområde: Næringsutvikling i Trondheim med et internasjonalt perspektiv",
        ],
    )
    rows = table_rows(shipped_build, TRONDHEIM_DECISION)
    for party, count in [("Ap", 1), ("MDG", 5), ("SV", 4), ("R", 2), ("V", 3), ("KrF", 2), ("FrP", 4)]:
        assert any(re.search(rf"^ ?{party} mot {count} ?$", row) for row in rows), f"no count row {party} {count}"


def test_trondheim_council_statements(shipped_build):
    assert_all_on_page(
        shipped_build,
        TRONDHEIM_DECISION,
        [
            "Ungdommens bystyre tar saken til orientering",
            "Mangfoldsrådet peker på at Trondheim kommune har innbyggere fra 170 land",
            "Studentrådet berømmer innsatsen for å fremme en Internasjonal strategi",
            "Rådets medlemmer tar saken til orientering",
        ],
    )


def test_trondheim_strategy_goal_areas_and_population(shipped_build):
    assert_all_on_page(
        shipped_build,
        TRONDHEIM_STRATEGY,
        [
            "Globalt partnerskap og solidaritet",
            "Vennskapsbysamarbeid",
            "Det internasjonale samfunn",
            "Kommunen tilrettelegger for kunnskapsutvikling om internasjonale spørsmål",
            "Delta i EU/EØS-prosjekter sammen med partnere og virkemiddelapparatet lokalt, nasjonalt og internasjonalt.",
            "29 539",
            "15,3",
            "17,3",
            "2019–2022",
        ],
    )


TWIN_CITIES = [
    ("Darmstadt", "1968"),
    ("Dunfermline", "1945"),
    ("Graz", "1968"),
    ("Klaksvik", "1987"),
    ("Kopavógur", "1946"),
    ("Norrköping", "1946"),
    ("Odense", "1946"),
    ("Petach Tikva", "1975"),
    ("Ramallah", "2004"),
    ("Split", "1956"),
    ("Tampere", "1946"),
    ("Tiraspol", "1987"),
    ("Vallejo", "1956"),
]


@pytest.mark.parametrize(("city", "year"), TWIN_CITIES)
def test_trondheim_twin_city_with_year(shipped_build, city, year):
    rows = table_rows(shipped_build, TRONDHEIM_RELATIONS)
    assert any(city in row and "vennskapsby" in row and year in row for row in rows)


def test_trondheim_krakow_keren_and_networks(shipped_build):
    rows = table_rows(shipped_build, TRONDHEIM_RELATIONS)
    assert any("Krakow" in row and "intensjonsavtale" in row for row in rows)
    assert any("Keren" in row and "Eritrea" in row for row in rows)
    assert_all_on_page(
        shipped_build,
        TRONDHEIM_RELATIONS,
        [
            "ICORN",
            "EUniverCities",
            "Nordic Edge",
            "POLIS",
            "Foreningen Norden",
            "Study Trondheim",
            "ECHO; European Cities of Historical Organs",
        ],
    )


def test_norrtalje_decision_motions_reservations(shipped_build):
    assert_all_on_page(
        shipped_build,
        NORRTALJE_DECISION,
        [
            "KS 2021-1430",
            "Yrkande om återremiss",
            "Ulrika Falk",
            "Andrea Kronvall",
            "Staffan Tjörnhammar",
            "Camilla Rydstrand",
            "Britt-Mari Bardon",
            "Bino Drummond",
            "Policy för trygghetsarbetet i Norrtälje kommun",
            "Integrationshöjande insatser med fokus på barns rättigheter i Norrtälje kommun",
            "Reservationer",
            "Protokollsanteckningar",
            "Deltog inte",
            "Ulrika Falk (S) reserverar sig till förmån för sitt eget yrkande.",
        ],
    )
    html = shipped_build.files[NORRTALJE_DECISION].decode()
    assert '<li class="vote" id="avgora-idag">' in html
    assert '<a href="#avgora-idag">omröstningen det gäller</a>' in html


NORRTALJE_FOCUS_AREAS = [
    "Förebygga brott",
    "Skapa trygga och säkra utemiljöer",
    "Skapa trygghet för barn och unga",
    "Förebygga och avhjälpa olyckor",
    "Systematiskt säkerhetsarbete",
    "Motståndskraft och krishanteringsförmåga",
]


def test_norrtalje_strategy_goal_and_focus_areas(shipped_build):
    assert_all_on_page(
        shipped_build,
        NORRTALJE_STRATEGY,
        [
            "Sveriges tryggaste kommun senast år 2030",
            *NORRTALJE_FOCUS_AREAS,
            "2021–2030",
        ],
    )


def test_norrtalje_every_indicator_row(shipped_build):
    rows = table_rows(shipped_build, NORRTALJE_STRATEGY)
    expected = [
        ("våldsbrott", ["11,7", "6"]),
        ("stöld", ["34,6", "17"]),
        ("promenad", ["23 %", "10 %"]),
        ("rädsla", ["19 %", "10 %"]),
        ("trygga i skolan", ["54 %", "61 %", "80 %"]),
        ("narkotika", ["6 %", "5 %", "3 %", "2 %"]),
        ("sjukhus", ["12,4", "6"]),
        ("bränder", ["0,49", "0,25"]),
        ("informationssäkerhet", ["2030"]),
        ("ledning", ["9/10", "10/10"]),
        ("områdesansvar", ["4/5", "5/5"]),
        ("risk- och sårbarhetsanalys", ["10/16", "16/16"]),
    ]
    for needle, values in expected:
        matching = [row for row in rows if needle in row.lower()]
        assert matching, f"no indicator row for {needle}"
        assert any(all(v in row for v in values) for row in matching), f"{needle}: {values} not in {matching}"


def test_norrtalje_indicator_pages_carry_source_footnotes(shipped_build):
    pages = [p for p in shipped_build.files if p.startswith("sv/indicators/norrtalje-") and p.endswith("index.html")]
    assert len(pages) >= 12
    text = page_text(shipped_build, "sv/indicators/norrtalje-tss-anmalda-valdsbrott/index.html")
    assert "Öppna jämförelser" in text and "A3" in text and "11,7" in text


def test_linkoping_norrkoping_cooperation(shipped_build):
    assert_all_on_page(
        shipped_build,
        LINKOPING_AGREEMENT,
        [
            "Linköping",
            "Norrköping",
            "Otillåten påverkan",
            "Lokal operativ samverkan",
            "Välfärdsbrottslighet",
            "motsvarande beslut",
            "ekonomiska konsekvenser",
            "Samverkansområden (4)",
        ],
    )
    assert_all_on_page(shipped_build, LINKOPING_DECISION, ["Norrköpings kommun", "motsvarande beslut"])


def test_nim_human_rights_city_letter(shipped_build):
    assert_all_on_page(
        shipped_build,
        NIM_COMMITMENT,
        [
            "Norges institusjon for menneskerettigheter",
            "Bergen",
            "CRPD",
            "Grunnloven § 92",
            "menneskerettighetsby",
        ],
    )


# A domain ends in letters: "vega@6.2.0" (a package version in a licence file) is not an address.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")


def test_no_email_address_is_published(shipped_build):
    leaks = {path: EMAIL.findall(data.decode("utf-8", "replace")) for path, data in shipped_build.files.items()}
    assert {path: found for path, found in leaks.items() if found} == {}
