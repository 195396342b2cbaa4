"""The benchmark runner: builds generated corpora and prints one table.

For each corpus size N it generates a corpus (bench.corpus) and measures, each build in a fresh process:

- cold: a build with no cache and no previous output,
- charts-cached: the same with only the drawn charts kept (the difference is the drawing, per chart),
- unchanged: the same build again (what the build cache saves),
- one-change: a build after one decision's text changed,
- serve-from-build: `serve` started after a build (the one-change build, or one made for it): the time
  until its first build is served, which renders only what changed since (site_builder/last_output.py),
- serve: in one `serve` process (the model kept in memory), started with no build before it, the rebuild
  after a document changed: the slowest of SERVE_EDITS edits of documents of the corpus, one after the other.

Then it builds the same N titles and bodies as plain Markdown pages with site_builder (one UI language),
Hugo and MkDocs, and prints the ratios. Every row has wall time, the peak memory (the largest process's
resident set, and the sum over the build's processes sampled every 50 ms) and pages per second.

    python -m bench.run                         # N = 1,000 and 10,000; plain comparison at 2,000
    python -m bench.run --sizes 1000 --plain 0  # one size, no comparison
    python -m bench.run --verify                # also check 1-job, many-job and cached builds are identical
    python -m bench.run --sizes 10000 --workdir W --keep-charts
                                                # reuse the charts an earlier run drew in W (a cold build
                                                # of 10,000 documents draws about 60,000, for an hour)

Benchmarks are not tests: only tests/test_bench.py runs this, once, on a tiny corpus to keep it working.

For steady figures give `--workdir` a folder of its own, not one where earlier runs deleted their output:
after thousands of files are deleted, ext4 creates new ones near them several times more slowly, for minutes
(the kernel checks each free inode for a recent deletion), and every generator here writes thousands.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from . import corpus as corpus_module

SCENARIOS = ("cold", "charts-cached", "unchanged", "one-change", "serve-from-build", "serve")
BUILDS = ("cold", "charts-cached", "unchanged", "one-change")
CACHE_DIR = ".site-builder-cache"
"""The build cache's folder next to site.yaml; removed before a cold build."""

TARGETS = {
    "plain_vs_hugo": 2.0,
    "mkdocs_vs_plain": 20.0,
    "unchanged_s": 5.0,
    "serve_change_s": 1.0,
    "memory_mb": 2048.0,
}
"""DESIGN §10 and issue 7: at most 2× Hugo, at least 20× faster than MkDocs (2,000 plain pages); at
10,000 documents an unchanged rebuild under 5 s, a one-document change in serve under 1 s, under 2 GB."""
TARGET_SIZE = 10_000
PAGES_ONLY = "site_builder, no search"
"""The plain corpus built without the Pagefind index (neither Hugo nor the target needs one)."""


@dataclass
class Measure:
    """One measured run."""

    label: str
    scenario: str
    wall: float
    pages: int
    max_rss_mb: float
    """The largest single process's peak resident set (getrusage)."""
    total_mb: float
    """The peak of the summed proportional set sizes of the build's processes (sampled)."""
    ok: bool = True
    note: str = ""

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.wall if self.wall > 0 else 0.0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class _MemorySampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped.

    Finding the descendants reads every process's stat file, and reading a large process's PSS walks its
    page tables: on two cores, doing both every 50 ms took a third of a core from the build measured.
    """

    SAMPLE_S = 0.25
    FIND_EVERY = 4
    """Look for new descendants every this many samples (workers live for seconds, not milliseconds)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        if not Path("/proc/self/smaps_rollup").exists():
            return
        samples = 0
        processes: list[int] = []
        while not self.stop.is_set():
            if samples % self.FIND_EVERY == 0:
                processes = _descendants(self.pid)
            samples += 1
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in processes))
            self.stop.wait(self.SAMPLE_S)


def run_measured(command: Sequence[str], cwd: Path | None = None) -> tuple[float, float, float, str, int]:
    """Run `command`; (wall seconds, max RSS MB, summed PSS MB, output, exit code)."""
    env = {**os.environ, "CI": "1", "PYTHONHASHSEED": "0"}
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = _MemorySampler(process.pid)
    sampler.start()
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop.set()
    sampler.join()
    return wall, usage.ru_maxrss / 1024, sampler.peak_kb / 1024, output, process.returncode


def last_line(output: str, code: int) -> str:
    """The last line a failed command printed (its error), for the table's note column."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1][:160] if lines else f"exit {code}"


def count_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html")) if folder.is_dir() else 0


def tree_files(folder: Path) -> dict[str, str]:
    """Every file's hash by its path, for comparing two outputs."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(p for p in folder.rglob("*") if p.is_file())
    }


def tree_digest(folder: Path) -> str:
    """One hash over every file's path and bytes."""
    return hashlib.sha256(json.dumps(tree_files(folder)).encode()).hexdigest()


def source_state() -> str:
    """A hash of site_builder and the default theme as they are now: other people may be editing them."""
    digest = hashlib.sha256()
    for folder in ("site_builder", "themes"):
        for path, hashed in tree_files(corpus_module.REPO / folder).items():
            if "__pycache__" not in path:
                digest.update(f"{folder}/{path} {hashed}\n".encode())
    return digest.hexdigest()


def compile_sources() -> None:
    """Compile site_builder's and the bench's modules to bytecode, as pip does for an installed package
    (and for MkDocs here). An editable install under PYTHONDONTWRITEBYTECODE would otherwise compile
    every module again in every build: 0.1 s of a 2,000-page build."""
    for package in ("site_builder", "bench"):
        compileall.compile_dir(corpus_module.REPO / package, quiet=1)


def build_command(config: Path, out: Path, jobs: int | None) -> list[str]:
    command = [sys.executable, "-m", "site_builder", "--config", str(config), "build", "--out", str(out)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    return command


def _build(label: str, scenario: str, config: Path, out: Path, jobs: int | None) -> Measure:
    wall, rss, total, output, code = run_measured(build_command(config, out, jobs))
    note = "" if code == 0 else last_line(output, code)
    return Measure(label, scenario, wall, count_pages(out), rss, total, code == 0, note)


def count_charts(folder: Path) -> int:
    """Charts in a built site: one SVG download per chart and language."""
    return sum(1 for _ in (folder / "charts").rglob("*.svg")) if (folder / "charts").is_dir() else 0


def clear_cache(config: Path, out: Path, keep_charts: bool) -> None:
    """Remove the output and the build cache; with `keep_charts`, the drawn charts stay."""
    shutil.rmtree(out, ignore_errors=True)
    cache = config.parent / CACHE_DIR
    if not keep_charts:
        shutil.rmtree(cache, ignore_errors=True)
    elif cache.is_dir():
        for entry in cache.iterdir():
            if entry.name != "charts":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


SERVE_EDITS = 3
"""Edits timed in the serve scenario, each of another document; the slowest is the figure."""


def serve_probe(config: Path, changed: Sequence[Path], jobs: int | None) -> dict[str, object]:
    """In this process: the first serve build, then the rebuild after each of `changed` gets one more
    sentence, one after the other."""
    from site_builder.cli import GC_THRESHOLDS
    from site_builder.serve import DevServer

    gc.set_threshold(*GC_THRESHOLDS)  # as the command line runs serve
    kwargs = {"jobs": jobs} if jobs is not None else {}
    state = DevServer(config, lambda text: None, **kwargs)
    started = time.perf_counter()
    ok = state.start()
    first = time.perf_counter() - started
    from_build = state.last is not None and state.last.made is not None
    edits = []
    for path in changed:
        # An editor saves after the last search index is served (it is made in the background, on the
        # same cores); the edit is timed until its pages are served.
        state.wait_for_search_index()
        text = path.read_text(encoding="utf-8")
        path.write_text(text.rstrip("\n") + "\n\nEn setning til fra serve.\n", encoding="utf-8")
        started = time.perf_counter()
        ok = state.rebuild({path}) and ok  # as `serve` hears of it from its file watcher
        edits.append(time.perf_counter() - started)
    state.wait_for_search_index()
    state.stop()
    pages = sum(1 for path in state.files if path.endswith(".html"))
    return {"first": first, "edits": edits, "pages": pages, "ok": int(ok), "from_build": int(from_build)}


def _serve(label: str, config: Path, changed: Sequence[Path], jobs: int | None, scenario: str = "serve") -> Measure:
    command = [sys.executable, "-m", "bench.run", "--serve-probe", str(config), *map(str, changed)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    wall, rss, total, output, _ = run_measured(command, cwd=corpus_module.REPO)
    try:
        result = json.loads(output.strip().splitlines()[-1])
        edits = sorted(float(seconds) for seconds in result["edits"])
        first, pages, ok = float(result["first"]), int(result["pages"]), bool(result["ok"]) and bool(edits)
        from_build = bool(result["from_build"])
    except (ValueError, IndexError, KeyError, TypeError):
        return Measure(label, scenario, wall, 0, rss, total, False, last_line(output, 1))
    slowest = f"slowest of {len(edits)} edits {edits[-1]:.2f} s, median {edits[len(edits) // 2]:.2f} s"
    if scenario == "serve-from-build":  # the figure is the start; it must not have rendered every page
        return Measure(label, scenario, first, pages, rss, total, ok and from_build, f"first build served; {slowest}")
    return Measure(label, scenario, edits[-1], pages, rss, total, ok and not from_build,
                   f"{slowest}; first build {first:.1f} s")  # fmt: skip


def measure_corpus(
    n: int, work: Path, scenarios: Sequence[str], jobs: int | None, verify: bool, keep_charts: bool = False
) -> list[Measure]:
    root = work / f"corpus-{n}"
    # The corpus is the same on every run (seeded), so the charts an earlier run drew are this run's too.
    kept_charts = work / f"charts-{n}"
    drawn = root / CACHE_DIR / "charts"
    if keep_charts and drawn.is_dir():
        shutil.rmtree(kept_charts, ignore_errors=True)
        drawn.rename(kept_charts)
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    corpus = corpus_module.generate(n, root)
    generated = time.perf_counter() - started
    if keep_charts and kept_charts.is_dir():
        drawn.parent.mkdir(parents=True)
        kept_charts.rename(drawn)
    label = f"N={n:,}"
    print(
        f"# {label}: {corpus.counts} · {len(corpus.municipalities)} municipalities · {corpus.indicators} "
        f"indicators · {corpus.votes} votes · {corpus.fees} fees (generated in {generated:.1f} s)",
        file=sys.stderr,
        flush=True,
    )
    out = work / f"out-{n}"
    clear_cache(corpus.config, out, keep_charts=keep_charts)
    measures: list[Measure] = []
    digests: dict[str, dict[str, str]] = {}
    if set(BUILDS) & set(scenarios):
        cold = _build(label, "cold" if not keep_charts else "charts kept", corpus.config, out, jobs)
        charts = count_charts(out)
        if keep_charts:
            cold.note = "charts drawn by an earlier run kept (--keep-charts): not a cold build"
        elif charts and cold.ok:
            cold.note = f"{charts:,} charts; {cold.wall * 1000 / charts:,.0f} ms per chart for the whole build"
        if "cold" in scenarios:
            measures.append(cold)
        if verify:
            digests["cold"] = tree_files(out)
        if "charts-cached" in scenarios:
            clear_cache(corpus.config, out, keep_charts=True)
            cached = _build(label, "charts-cached", corpus.config, out, jobs)
            if charts and cached.ok and cold.ok and not keep_charts:
                drawing = (cold.wall - cached.wall) * 1000 / charts
                cached.note = f"cold minus this: {drawing:,.0f} ms drawing per chart (SVG and PNG)"
            measures.append(cached)
        if "unchanged" in scenarios:
            measures.append(_build(label, "unchanged", corpus.config, out, jobs))
            if verify:
                digests["cached unchanged"] = tree_files(out)
        if "one-change" in scenarios:
            corpus_module.change_one(corpus)
            measures.append(_build(label, "one-change", corpus.config, out, jobs))
            if verify:
                digests["cached one-change"] = tree_files(out)
    if verify and digests:
        measures.append(_verify(label, corpus.config, work, digests, jobs))
    documents = corpus.documents  # the last, and as many before it, evenly apart
    picked = dict.fromkeys(
        documents[len(documents) * i // SERVE_EDITS - 1].relative_path for i in range(1, SERVE_EDITS + 1)
    )
    changed = [corpus.root / path for path in picked]
    if "serve-from-build" in scenarios:
        if not set(BUILDS) & set(scenarios):
            _build(label, "build for serve", corpus.config, out, jobs)
        measures.append(_serve(label, corpus.config, changed, jobs, "serve-from-build"))
    if "serve" in scenarios:
        clear_cache(corpus.config, out, keep_charts=True)  # nothing to start from
        measures.append(_serve(label, corpus.config, changed, jobs))
    for measure in measures:
        print(f"  {measure.scenario}: {measure.wall:.2f} s", file=sys.stderr, flush=True)
    return measures


def _verify(label: str, config: Path, work: Path, digests: dict[str, dict[str, str]], jobs: int | None) -> Measure:
    """Clean builds of the current content with one job and with `jobs`: the cached builds of the same
    content must have written the same bytes. Drawn charts are kept (drawing them is most of a cold
    build); tests/test_cache.py checks that a cached chart has the bytes of a freshly drawn one."""
    clean = work / "verify"
    for name, count in (("clean 1-job", 1), (f"clean {jobs or 'default'}-job", jobs)):
        clear_cache(config, clean, keep_charts=True)
        wall, rss, total, output, code = run_measured(build_command(config, clean, count))
        if code != 0:
            return Measure(label, "verify", wall, 0, rss, total, False, f"{name}: {last_line(output, code)}")
        digests[name] = tree_files(clean)
    shutil.rmtree(clean, ignore_errors=True)
    # The cold and unchanged builds saw the content before the change; the rest saw it after.
    groups = [[k for k in ("cold", "cached unchanged") if k in digests]]
    groups.append([k for k in digests if k not in groups[0]])
    if "cached one-change" not in digests:
        groups = [[*groups[0], *groups[1]]]
    different = []
    for group in groups:
        first = group[0]
        for other in group[1:]:
            paths = sorted(
                p
                for p in digests[first].keys() | digests[other].keys()
                if digests[first].get(p) != digests[other].get(p)
            )
            if paths:
                different.append(f"{first} vs {other}: {len(paths)} files, e.g. {', '.join(paths[:3])}")
    if different:
        return Measure(label, "verify", 0.0, 0, 0.0, 0.0, False, "DIFFERENT: " + "; ".join(different))
    compared = "; ".join(" = ".join(group) for group in groups)
    return Measure(label, "verify", 0.0, 0, 0.0, 0.0, True, "identical: " + compared)


def measure_plain(n: int, work: Path, tools: Sequence[str], jobs: int | None, runs: int = 1) -> list[Measure]:
    """The plain corpus built by each generator; each figure is the fastest of `runs` builds into a fresh
    folder, each after the file system has written out the last (this machine's disk is slow to create
    files while it still writes back another build's). The folders are removed only after every run:
    for some seconds after thousands of files are deleted, ext4 here is several times slower to create
    new ones, which would slow whichever tool ran next."""
    root = work / f"plain-{n}"
    shutil.rmtree(root, ignore_errors=True)
    plain = corpus_module.generate_plain(n, root)
    label = f"plain {n:,}"
    print(f"# {label}: {plain.pages} pages", file=sys.stderr, flush=True)
    outputs: list[Path] = []

    def fastest(scenario: str, command: Callable[[Path], list[str]], note: str = "") -> Measure:
        best: Measure | None = None
        for run in range(runs):
            out = root / f"out-{scenario.replace(', ', '-').replace(' ', '-')}-{run}"
            outputs.append(out)
            clear_cache(plain.site_builder, out, keep_charts=False)  # every run a cold build
            os.sync()
            wall, rss, total, output, code = run_measured(command(out))
            measure = Measure(label, scenario, wall, count_pages(out), rss, total, code == 0, note)
            if code != 0:
                return replace(measure, note=last_line(output, code))
            if best is None or measure.wall < best.wall:
                best = measure
        assert best is not None
        return replace(best, note="; ".join(filter(None, [best.note, f"fastest of {runs}" if runs > 1 else ""])))

    measures = [fastest("site_builder", lambda out: build_command(plain.site_builder, out, jobs))]
    # Hugo makes no search index; Pagefind, which makes ours, takes a second on its own for 2,000 pages.
    note = "the same build with --no-search"
    measures.append(
        fastest(PAGES_ONLY, lambda out: [*build_command(plain.site_builder, out, jobs), "--no-search"], note)
    )
    if "hugo" in tools:
        hugo = shutil.which("hugo")
        if hugo is None:
            measures.append(Measure(label, "hugo", 0.0, 0, 0.0, 0.0, False, "not installed (apt-get install hugo)"))
        else:
            measures.append(fastest("hugo", lambda out: [hugo, "--quiet", "-s", str(plain.hugo), "-d", str(out)]))
    if "mkdocs" in tools:
        mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(plain.mkdocs)]
        measures.append(fastest("mkdocs", lambda out: [*mkdocs, "-d", str(out)]))
    for measure in measures:
        print(f"  {measure.scenario}: {measure.wall:.2f} s", file=sys.stderr, flush=True)
    for out in outputs:
        shutil.rmtree(out, ignore_errors=True)
    return measures


def _version(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except OSError:
        return "not installed"
    if result.returncode != 0:
        return "not installed"
    return (result.stdout or result.stderr).strip().splitlines()[0].split(" from ")[0]


def table(measures: list[Measure]) -> str:
    header = ["corpus", "scenario", "wall s", "pages", "pages/s", "max RSS MB", "total PSS MB", "note"]
    rows = [
        [
            m.label,
            m.scenario,
            f"{m.wall:.2f}" if m.wall else "",
            f"{m.pages:,}" if m.pages else "",
            f"{m.pages_per_second:,.0f}" if m.pages and m.wall else "",
            f"{m.max_rss_mb:,.0f}" if m.max_rss_mb else "",
            f"{m.total_mb:,.0f}" if m.total_mb else "",
            ("" if m.ok else "FAILED ") + m.note,
        ]
        for m in measures
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join(lines)


def verdicts(measures: list[Measure]) -> list[str]:
    """Each target that this run measured: met or not, with the numbers."""
    lines = []
    by_key = {(m.label, m.scenario): m for m in measures}
    for m in measures:
        if m.scenario not in ("site_builder", PAGES_ONLY):
            continue
        ours = m
        hugo, mkdocs = by_key.get((m.label, "hugo")), by_key.get((m.label, "mkdocs"))
        if hugo is not None and hugo.ok and ours.ok:
            ratio = ours.wall / hugo.wall
            per_page = (ours.wall / max(ours.pages, 1)) / (hugo.wall / max(hugo.pages, 1))
            met = "met" if ratio <= TARGETS["plain_vs_hugo"] else "NOT met"
            lines.append(
                f"{m.label}: {m.scenario} / Hugo = {ratio:.2f}× wall, {per_page:.2f}× per page "
                f"(target ≤ {TARGETS['plain_vs_hugo']:g}×): {met}"
            )
        if mkdocs is not None and mkdocs.ok and ours.ok:
            ratio = mkdocs.wall / ours.wall
            per_page = (mkdocs.wall / max(mkdocs.pages, 1)) / (ours.wall / max(ours.pages, 1))
            met = "met" if ratio >= TARGETS["mkdocs_vs_plain"] else "NOT met"
            lines.append(
                f"{m.label}: MkDocs / {m.scenario} = {ratio:.1f}× wall, {per_page:.1f}× per page "
                f"(target ≥ {TARGETS['mkdocs_vs_plain']:g}×): {met}"
            )
    for m in measures:
        size = m.label.removeprefix("N=").replace(",", "")
        if not size.isdigit() or int(size) < TARGET_SIZE or not m.ok:
            continue
        if m.scenario == "unchanged":
            met = "met" if m.wall < TARGETS["unchanged_s"] else "NOT met"
            lines.append(f"{m.label}: unchanged rebuild {m.wall:.2f} s (target < {TARGETS['unchanged_s']:g} s): {met}")
        if m.scenario == "serve":
            met = "met" if m.wall < TARGETS["serve_change_s"] else "NOT met"
            lines.append(
                f"{m.label}: one-document change in serve {m.wall:.2f} s "
                f"(target < {TARGETS['serve_change_s']:g} s): {met}"
            )
        peak = max(m.max_rss_mb, m.total_mb)
        if m.scenario in ("cold", "charts kept", *SCENARIOS):
            met = "met" if peak < TARGETS["memory_mb"] else "NOT met"
            lines.append(
                f"{m.label}: peak memory in {m.scenario} {peak:,.0f} MB (target < {TARGETS['memory_mb']:,.0f} MB): {met}"
            )
    for m in measures:
        if m.scenario == "verify":
            lines.append(f"{m.label}: outputs {'identical' if m.ok else 'DIFFER'} ({m.note})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="*", default=[1000, 10_000], help="corpus sizes (default 1000 10000)"
    )
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of {', '.join(SCENARIOS)} (default: all)"
    )
    parser.add_argument(
        "--plain", type=int, default=2000, help="plain pages for the comparison (0: none; default 2000)"
    )
    parser.add_argument("--tools", default="hugo,mkdocs", help="generators to compare with (default hugo,mkdocs)")
    parser.add_argument(
        "--runs", type=int, default=3, help="builds of the plain corpus per generator; the fastest counts (default 3)"
    )
    parser.add_argument("--jobs", type=int, default=None, help="pass --jobs to site-builder (default: its own default)")
    parser.add_argument(
        "--verify", action="store_true", help="also check clean 1-job, many-job and cached outputs match"
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep corpora and outputs here (default: a temp dir)"
    )
    parser.add_argument(
        "--keep-charts",
        action="store_true",
        help="with --workdir: reuse the charts an earlier run drew there (then no cold build is measured)",
    )
    parser.add_argument("--serve-probe", nargs="+", type=Path, metavar="CONFIG CHANGED", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_probe:
        print(json.dumps(serve_probe(args.serve_probe[0], args.serve_probe[1:], args.jobs)))
        return 0
    scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    tools = [t for t in args.tools.split(",") if t and t != "none"]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="site-builder-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    measures: list[Measure] = []
    sources = source_state()
    compile_sources()
    try:
        for n in args.sizes:
            measures += measure_corpus(n, work, scenarios, args.jobs, args.verify, args.keep_charts)
        if args.plain > 0:
            measures += measure_plain(args.plain, work, tools, args.jobs, max(1, args.runs))
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"site_builder benchmark · {os.cpu_count()} cores · load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.plain > 0:
        versions = {
            "hugo": _version(["hugo", "version"]),
            "mkdocs": _version([sys.executable, "-m", "mkdocs", "--version"]),
        }
        print(" · ".join(f"{k}: {v}" for k, v in versions.items() if k in tools))
    if source_state() != sources:
        print("WARNING: site_builder or the theme changed during the run; builds may differ for that reason")
    print()
    print(table(measures))
    lines = verdicts(measures)
    if lines:
        print()
        print("\n".join(lines))
    return 0 if all(m.ok for m in measures) else 1


if __name__ == "__main__":
    sys.exit(main())
