"""The benchmark tools keep working: the corpus is valid and deterministic, the runner prints its table.

These are not timed: the runner runs once on a tiny corpus, and only its output's shape is checked.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import diagnostics_of

from bench import corpus
from bench.run import main as run_benchmark
from bench.run import tree_digest


def test_generated_corpus_passes_check_and_has_every_content_type(tmp_path: Path) -> None:
    made = corpus.generate(24, tmp_path)
    assert diagnostics_of(made.config) == []
    assert set(made.counts) == set(corpus.SECTIONS)
    assert all(count >= 1 for count in made.counts.values())
    assert sum(made.counts.values()) == 24 == len(list((tmp_path / "content").rglob("*.md")))
    assert made.indicators > 0 and made.votes > 0 and made.fees > 0


def test_generated_corpus_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    corpus.generate(12, tmp_path / "a")
    corpus.generate(12, tmp_path / "b")
    corpus.generate(12, tmp_path / "c", seed=2)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b") != tree_digest(tmp_path / "c")


def test_municipality_identifiers_stay_valid_when_the_made_up_names_run_out() -> None:
    # A 10,000-document corpus has more municipalities than there are names, so names repeat with a number.
    names = len(corpus._NAME_START) * len(corpus._NAME_END)
    made = corpus._Writer(n=1, seed=1).municipalities(names + 3)
    assert len({m.id for m in made}) == names + 3
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", m.id) for m in made)


def test_plain_corpus_has_the_same_pages_for_every_generator(tmp_path: Path) -> None:
    plain = corpus.generate_plain(9, tmp_path)
    stems = {p.stem for p in (tmp_path / "site_builder" / "content" / "pages").glob("*.md")}
    assert len(stems) == 9
    assert stems == {p.stem for p in (plain.hugo / "content" / "pages").glob("*.md")}
    assert stems == {p.stem for p in (plain.mkdocs.parent / "docs" / "pages").glob("*.md")}
    assert diagnostics_of(plain.site_builder) == []


def _rows(output: str) -> dict[tuple[str, str], list[str]]:
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 8 and cells[0] != "corpus":
            rows[(cells[0], cells[1])] = cells
    return rows


def test_runner_prints_every_scenario_and_the_comparison(tmp_path: Path, capsys) -> None:
    code = run_benchmark(["--sizes", "7", "--plain", "7", "--runs", "2", "--jobs", "2", "--workdir", str(tmp_path)])
    output = capsys.readouterr().out
    assert code == 0, output
    rows = _rows(output)
    for scenario in ("cold", "charts-cached", "unchanged", "one-change", "serve-from-build", "serve"):
        wall, pages, per_second, rss = (cell.replace(",", "") for cell in rows[("N=7", scenario)][2:6])
        assert float(wall) > 0 and int(pages) > 7 and float(per_second) > 0 and float(rss) > 0
    # serve started from the one-change build's output, then with none: a row fails (the note says why) when
    # it started otherwise.
    assert "first build served; slowest of 3 edits" in rows[("N=7", "serve-from-build")][7]
    assert "first build" in rows[("N=7", "serve")][7] and "FAILED" not in output
    assert " charts; " in rows[("N=7", "cold")][7] and "ms drawing per chart" in rows[("N=7", "charts-cached")][7]
    assert int(rows[("plain 7", "site_builder")][3]) >= 7
    assert int(rows[("plain 7", "site_builder, no search")][3]) == int(rows[("plain 7", "site_builder")][3])
    assert int(rows[("plain 7", "mkdocs")][3]) >= 7
    assert "MkDocs / site_builder = " in output
    if shutil.which("hugo"):
        assert int(rows[("plain 7", "hugo")][3]) >= 7
        assert "site_builder / Hugo = " in output
    else:
        assert "not installed" in rows[("plain 7", "hugo")][7]
