"""Every kind of content error gives `path:line:col: message` with a hint, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import MINIMAL_DECISION, diagnostics_of

DECISION = "content/decisions/tromso/tromso-nsc.md"


def test_minimal_project_is_valid(make_project):
    assert diagnostics_of(make_project()) == []


def test_yaml_syntax_error_names_file_and_line(make_project):
    broken = "---\ntype: decision\ntitle: Broken\nlang: nb\nmunicipality: [tromso\nstatus: adopted\n---\nBody\n"
    config = make_project({DECISION: broken})
    problems = diagnostics_of(config)
    assert len(problems) == 1
    assert problems[0].startswith(f"{DECISION}:6:")
    assert "YAML syntax error" in problems[0]


def test_unknown_key_suggests_the_right_one(make_project):
    text = MINIMAL_DECISION.replace("status: adopted\n", "status: adopted\nmunicipalty: tromso\n")
    problems = diagnostics_of(make_project({DECISION: text}))
    assert problems == [f"{DECISION}:7:1: error: unknown key 'municipalty' (did you mean 'municipality'?)"]


def test_unknown_nested_key_names_the_nested_model(make_project):
    text = MINIMAL_DECISION.replace(
        "date: 2022-08-23\n",
        "date: 2022-08-23\nconsultations:\n  - id: ks\n    body: tromso-kommunestyret\n    result: adopted\n    dato: 2022-08-23\n",
    )
    problems = diagnostics_of(make_project({DECISION: text}))
    assert problems == [f"{DECISION}:12:5: error: unknown key 'dato' in consultations[0] (did you mean 'date'?)"]


def test_missing_required_field(make_project):
    text = MINIMAL_DECISION.replace("status: adopted\n", "")
    problems = diagnostics_of(make_project({DECISION: text}))
    assert problems == [f"{DECISION}:2:1: error: missing required field 'status'"]


def test_wrong_type_and_decimal_comma(make_project):
    text = MINIMAL_DECISION.replace("type: decision", "type: membership").replace(
        "status: adopted\n",
        "status: active\norganisation: nordic-safe-cities\nstart_year: 2022\nfees:\n  - amount: 75000,5\n    currency: DKK\n",
    )
    problems = diagnostics_of(make_project({DECISION: text}))
    assert problems == [
        f"{DECISION}:10:5: error: fees[0].amount: expected a number, got '75000,5' (write decimals with a point, e.g. 11.7)"
    ]


def test_invalid_dates(make_project):
    impossible = MINIMAL_DECISION.replace("date: 2022-08-23", "date: 2022-02-30")
    norwegian = MINIMAL_DECISION.replace("date: 2022-08-23", "date: 23.08.2022")
    assert diagnostics_of(make_project({DECISION: impossible})) == [
        f"{DECISION}:7:7: error: invalid date '2022-02-30' (write a real date as YYYY-MM-DD)"
    ]
    assert diagnostics_of(make_project({DECISION: norwegian})) == [
        f"{DECISION}:7:1: error: date: invalid date '23.08.2022' (write the date as YYYY-MM-DD)"
    ]


def test_dangling_municipality_reference(make_project):
    text = MINIMAL_DECISION.replace("municipality: tromso", "municipality: tromsoe")
    problems = diagnostics_of(make_project({DECISION: text}))
    assert problems == [
        f"{DECISION}:5:1: error: unknown municipality 'tromsoe': it is not in data/municipalities.yaml "
        "(did you mean 'tromso'?)"
    ]


def test_dangling_reference_in_registry(make_project):
    organisations = "- {id: x-council, name: Council, kind: council, municipality: bergen}\n"
    problems = diagnostics_of(make_project({"data/organisations.yaml": organisations, DECISION: None}))
    assert problems == [
        "data/organisations.yaml:1:49: error: unknown municipality 'bergen': it is not in "
        "data/municipalities.yaml (add it to data/municipalities.yaml or fix the spelling)"
    ]


def test_duplicate_document_identifiers(make_project):
    config = make_project({"content/memberships/tromso-nsc.md": MINIMAL_DECISION})
    problems = diagnostics_of(config)
    assert len(problems) == 1
    assert "duplicate identifier 'tromso-nsc'" in problems[0]
    assert problems[0].startswith("content/")


def test_duplicate_registry_identifier_and_duplicate_key(make_project):
    municipalities = '- {id: tromso, name: Tromsø, country: "NO"}\n- {id: tromso, name: Tromsø again, country: "NO"}\n'
    text = MINIMAL_DECISION.replace("lang: nb\n", "lang: nb\nlang: sv\n")
    problems = diagnostics_of(make_project({"data/municipalities.yaml": municipalities, DECISION: text}))
    assert f"{DECISION}:5:1: error: duplicate key 'lang' (first given on line 4)" in problems
    assert (
        "data/municipalities.yaml:2:4: error: duplicate identifier 'tromso' in data/municipalities.yaml "
        "(first used on line 1)"
    ) in problems


def test_unknown_type_suggests(make_project):
    text = MINIMAL_DECISION.replace("type: decision", "type: decison")
    assert diagnostics_of(make_project({DECISION: text})) == [
        f"{DECISION}:2:1: error: unknown document type 'decison' (did you mean 'decision'?)"
    ]


def test_enum_value_suggests(make_project):
    text = MINIMAL_DECISION.replace("status: adopted", "status: adoptd")
    problems = diagnostics_of(make_project({DECISION: text}))
    assert len(problems) == 1
    assert problems[0].startswith(f"{DECISION}:6:1: error: status: 'adoptd' is not allowed")
    assert "(did you mean 'adopted'?)" in problems[0]


def test_norway_is_not_false(make_project):
    """YAML 1.1 reads NO as false; our loader keeps country codes as text."""
    municipalities = "- {id: tromso, name: Tromsø, country: NO}\n"
    assert (
        diagnostics_of(make_project({"data/municipalities.yaml": municipalities, "data/organisations.yaml": "[]"}))
        == []
    )


def test_all_problems_are_reported_at_once(make_project):
    first = MINIMAL_DECISION.replace("status: adopted", "status: adoptd")
    second = MINIMAL_DECISION.replace("municipality: tromso", "municipality: oslo")
    config = make_project({DECISION: first, "content/decisions/tromso/second.md": second})
    problems = diagnostics_of(config)
    assert len(problems) == 2
    assert {p.split(":")[0] for p in problems} == {DECISION, "content/decisions/tromso/second.md"}


def test_no_front_matter(make_project):
    assert diagnostics_of(make_project({DECISION: "Just text\n"})) == [
        f"{DECISION}:1:1: error: the file does not start with YAML front matter "
        "(begin the file with a line '---', the fields, then another '---')"
    ]


def test_vote_counts_exceeding_members_present(make_project):
    text = MINIMAL_DECISION.replace(
        "date: 2022-08-23\n",
        "date: 2022-08-23\nconsultations:\n  - id: ks\n    body: tromso-kommunestyret\n    result: adopted\n"
        "    votes:\n      - description: Vedtatt\n        result: pass\n        present: 10\n"
        "        counts: [{option: yes, value: 8}, {option: no, value: 5}]\n",
    )
    problems = diagnostics_of(make_project({DECISION: text}))
    assert len(problems) == 1
    assert "the counts add up to 13, more than the 10 members present" in problems[0]
    assert problems[0].startswith(f"{DECISION}:13:9:")


def _run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", "--config", str(config), *args],
        capture_output=True,
        text=True,
        cwd=config.parent,
    )


def test_cli_check_exit_codes_and_no_traceback(make_project):
    good = _run(make_project(), "check")
    assert good.returncode == 0, good.stderr
    config = make_project({DECISION: "---\ntype: decision\ntitle: [\n---\n"})
    bad = _run(config, "check")
    assert bad.returncode == 1
    assert f"{DECISION}:" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_cli_usage_error_exits_2(make_project):
    result = _run(make_project(), "publish")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_check_writes_nothing(make_project):
    config = make_project()

    # The chart cache may fill (it is not output); nothing else appears.
    def listing() -> list[Path]:
        return sorted(
            p.relative_to(config.parent) for p in config.parent.rglob("*") if ".site-builder-cache" not in p.parts
        )

    before = listing()
    assert _run(config, "check").returncode == 0
    after = listing()
    assert before == after
