"""Builds spread over several processes: the same bytes as one process, the same diagnostics, clear failures."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench import corpus
from site_builder import parallel, render
from site_builder.build import build, load_site
from site_builder.diagnostics import BuildFailed, Diagnostics
from site_builder.markdown import MarkdownRenderer
from site_builder.opendata.exports import derive_open_data
from site_builder.pages import other_page_paths, site_pages
from site_builder.theme import load_theme


@pytest.fixture
def fork_small_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork even for a handful of pages, so a small corpus exercises the workers."""
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_JOB", 1)


def test_map_interleaved_keeps_the_order_of_the_items(fork_small_work: None) -> None:
    items = list(range(101))
    assert parallel.map_items(lambda n: (n, os.getpid()), items, 3) != [(n, os.getpid()) for n in items]
    results = parallel.map_items(lambda n: n * n, items, 3)
    assert results == [n * n for n in items]
    assert parallel.map_interleaved(lambda: iter("abcde"), str.upper, 2, 5) == list("ABCDE")


def test_a_slow_item_does_not_hold_up_the_items_after_it(fork_small_work: None) -> None:
    """The worker that draws a slow item leaves the rest to the others, so the pages end together."""

    def work(n: int) -> tuple[int, int]:
        if n == 0:
            time.sleep(0.5)
        return n, os.getpid()

    results = parallel.map_items(work, list(range(200)), 2)
    assert [n for n, _ in results] == list(range(200))
    slow_worker = results[0][1]
    done_by_slow_worker = sum(1 for _, pid in results if pid == slow_worker)
    assert done_by_slow_worker < 80, f"the worker of the slow item did {done_by_slow_worker} of 200"
    assert {pid for _, pid in results} != {slow_worker}


def test_map_interleaved_does_every_item_once_when_the_estimate_is_wrong(fork_small_work: None) -> None:
    for estimate in (1, 7, 1000):
        results = parallel.map_interleaved(lambda: iter(range(301)), lambda n: n * 3, 2, estimate)
        assert results == [n * 3 for n in range(301)]


def test_without_a_temporary_file_for_the_claims_the_work_is_done_here(
    fork_small_work: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_temporary_file(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(parallel.tempfile, "TemporaryFile", no_temporary_file)
    results = parallel.map_items(lambda n: (n * 2, os.getpid()), list(range(120)), 2)
    assert results == [(n * 2, os.getpid()) for n in range(120)]
    with parallel.Ahead(lambda n: n, list(range(10))) as ahead:
        pass
    assert ahead.done == {}


def test_a_failing_worker_is_reported_with_its_traceback(fork_small_work: None) -> None:
    def work(n: int) -> int:
        if n == 7:
            raise ValueError("item seven is broken")
        return n

    with pytest.raises(parallel.WorkerFailed, match="item seven is broken"):
        parallel.map_items(work, list(range(20)), 2)


def test_work_done_ahead_keeps_what_finished_within_the_block_and_stops_the_rest() -> None:
    def work(n: int) -> tuple[int, int]:
        if n == 3:
            time.sleep(120)  # never finished: the block ends long before
        return n * n, os.getpid()

    ahead = parallel.Ahead(work, list(range(6)))
    with ahead:
        time.sleep(2)  # ample for the three quick items
    assert {n: square for n, (square, _) in ahead.done.items()} == {0: 0, 1: 1, 2: 4}
    worker = ahead.done[0][1]
    assert worker != os.getpid()
    with pytest.raises(ProcessLookupError):  # stopped and reaped, not left sleeping
        os.kill(worker, 0)


def test_work_in_the_background_runs_in_another_process_and_is_waited_for(tmp_path: Path) -> None:
    done = tmp_path / "done"

    def work() -> None:
        time.sleep(1)  # still running when in_background returns
        done.write_text(str(os.getpid()), encoding="utf-8")

    wait = parallel.in_background(work)
    assert not done.exists()
    wait()
    worker = int(done.read_text(encoding="utf-8"))
    assert worker != os.getpid()
    with pytest.raises(ChildProcessError):  # reaped, not left a zombie
        os.waitpid(worker, os.WNOHANG)


def test_one_job_and_two_jobs_build_the_same_bytes(tmp_path: Path, fork_small_work: None) -> None:
    made = corpus.generate(8, tmp_path)
    two = build(made.config, tmp_path / "two", jobs=2)
    one = build(made.config, tmp_path / "one", jobs=1)
    assert len(one.files) > 100
    assert list(one.files) == list(two.files)
    assert [path for path in one.files if one.files[path] != two.files[path]] == []
    written = sorted(p.relative_to(tmp_path / "two").as_posix() for p in (tmp_path / "two").rglob("*") if p.is_file())
    assert written == sorted([*one.files, ".site-builder-output"])


def test_documents_made_in_batches_give_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork_small_work: None
) -> None:
    """A large site's pages and charts are made a batch of documents at a time: the same site."""
    made = corpus.generate(12, tmp_path)
    whole = build(made.config, tmp_path / "whole", jobs=2)
    monkeypatch.setattr(render, "DOCUMENTS_AT_ONCE", 5)
    monkeypatch.setattr(render, "DOCUMENTS_PER_BATCH", 5)
    batched = build(made.config, tmp_path / "batched", jobs=2)
    assert sum(1 for path in whole.files if "/charts/" in f"/{path}") > 10
    assert list(whole.files) == list(batched.files)
    assert [path for path in whole.files if whole.files[path] != batched.files[path]] == []
    assert whole.state.pages == batched.state.pages


def test_a_batch_that_fails_while_the_last_is_made_stops_the_build_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork_small_work: None
) -> None:
    """A batch's charts are drawn while the workers make the last batch's pages: if drawing fails, the build
    reports it and leaves no site and no worker behind."""
    made = corpus.generate(12, tmp_path)
    monkeypatch.setattr(render, "DOCUMENTS_AT_ONCE", 5)
    monkeypatch.setattr(render, "DOCUMENTS_PER_BATCH", 5)
    drawn = render._figures
    batches: list[int] = []

    def failing_third(charts: Any, images: Any, t: Any, diagnostics: Diagnostics) -> Any:
        batches.append(len(batches))
        if len(batches) == 3:
            diagnostics.error("content/x.md", 1, 1, "cannot draw chart x: no")
            return None
        return drawn(charts, images, t, diagnostics)

    monkeypatch.setattr(render, "_figures", failing_third)
    before = set(_children())  # e.g. the browser tests' Playwright driver, which lives as long as the tests
    with pytest.raises(BuildFailed) as failure:
        build(made.config, tmp_path / "out", jobs=2)
    assert [d.message for d in failure.value.diagnostics] == ["cannot draw chart x: no"]
    assert len(batches) == 3 and not (tmp_path / "out").exists()
    assert set(_children()) - before == set()


def _children() -> list[int]:
    """This process's child processes, running or not yet reaped, but for the resource tracker that the
    chart drawing pool of an earlier test (multiprocessing) keeps until the tests end."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
                command = (entry / "cmdline").read_bytes()
            except (OSError, ValueError, IndexError):
                continue
            if parent == os.getpid() and b"resource_tracker" not in command:
                found.append(int(entry.name))
    return found


def test_the_other_pages_are_listed_and_made_by_their_output_paths(tmp_path: Path) -> None:
    """A large site makes the pages that are not a document's (home, lists, registries, indicators) in
    batches named by their paths: listing them makes none, and a batch makes just its own."""
    made = corpus.generate(12, tmp_path)
    diagnostics = Diagnostics()
    site = load_site(made.config, diagnostics)
    assert site is not None
    theme = load_theme(site, diagnostics)
    assert theme is not None
    open_data = derive_open_data(site, theme.strings, diagnostics)
    t = theme.strings["nb"]

    def made_paths(others: bool | frozenset[str]) -> list[str]:
        makers = site_pages(site, "nb", t, MarkdownRenderer(), open_data, theme.integrity, set(), True, others)
        return [make().path for make in makers]

    listed = other_page_paths(site, "nb", t, open_data, theme.integrity)
    assert listed == made_paths(True)
    assert len(set(listed)) == len(listed) > 20
    assert {"nb/index.html", "nb/search/index.html", "nb/municipalities/index.html"} <= set(listed)
    some = frozenset(listed[1::3])
    assert made_paths(some) == [path for path in listed if path in some]
    assert made_paths(False) == []


def _pages(count: int) -> dict[str, str]:
    return {
        f"content/pages/side-{n}.md": f"---\ntype: page\ntitle: Side {n}\nlang: nb\n---\nTekst {n}.\n"
        for n in range(count)
    }


def test_a_template_error_in_a_worker_is_the_same_diagnostic(make_project, fork_small_work: None) -> None:
    broken = '{% extends "default:page.html" %}{% block content %}{{ page.nothing.here }}{% endblock %}\n'
    files = {**_pages(6), "themes/broken/templates/page.html": broken}
    config = make_project(files)
    config.write_text(config.read_text() + "theme: themes/broken\n")
    failures = []
    for jobs in (1, 2):
        with pytest.raises(BuildFailed) as failure:
            build(config, jobs=jobs)
        failures.append([str(d) for d in failure.value.diagnostics])
    assert failures[0] == failures[1]
    assert len(failures[0]) == 1 and failures[0][0].startswith("themes/broken/templates/page.html:1:")


def test_jobs_option_of_build_and_serve(make_project, tmp_path: Path) -> None:
    config = make_project(_pages(3))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "site_builder", "--config", str(config), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=600)

    built = cli("build", "--jobs", "2", "--out", str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "out" / "nb" / "pages" / "side-2" / "index.html").is_file()
    for command in ("build", "serve"):
        refused = cli(command, "--jobs", "0")
        assert refused.returncode == 2
        assert "'0' is not a number of processes" in refused.stderr and "Traceback" not in refused.stderr
