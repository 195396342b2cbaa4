"""The `site-builder` command: build, check.

Exit codes: 0 success, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from .diagnostics import BuildFailed, Diagnostic
from .write import OutputRefused

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2
BUILD_OPTIONS = {"search": True}
"""What `build` makes besides the pages, by default, for the build cache: another choice (`--no-search`)
makes other files."""


_JOBS_HELP = "processes that render pages (default: the number of cores); the output is the same for any number"


def _jobs(value: str) -> int:
    """A --jobs value: a whole number of at least 1."""
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of processes (1 or more)")
    return jobs


def _jobs_or_default(jobs: int | None) -> int:
    from .parallel import default_jobs

    return jobs if jobs is not None else default_jobs()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="site-builder", description="Build an open-data site of municipal strategies, decisions and commitments."
    )
    parser.add_argument(
        "--config", type=Path, default=Path("site.yaml"), help="the site's settings file (default: site.yaml)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser("build", help="build the site into a folder")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: _site next to site.yaml)")
    build.add_argument("--jobs", type=_jobs, default=None, help=_JOBS_HELP)
    build.add_argument(
        "--no-search",
        dest="search",
        action="store_false",
        help="leave out the search index: a quicker build to look at (its search page says search is unavailable)",
    )
    check = commands.add_parser("check", help="validate all content, render in memory, check every link; write nothing")
    check.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="text for people; json for programs; github for annotations in GitHub Actions",
    )
    serve = commands.add_parser(
        "serve", help="build, serve on localhost, rebuild and reload the browser on every change"
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--jobs", type=_jobs, default=None, help=_JOBS_HELP)
    new = commands.add_parser("new", help="write a valid new document of a content type to start from")
    new.add_argument(
        "type", choices=["decision", "strategy", "membership", "agreement", "commitment", "relations", "page"]
    )
    new.add_argument("--municipality", help="the municipality's identifier in data/municipalities.yaml")
    new.add_argument("--title", help="the document's title (also gives the file name)")
    new.add_argument("--lang", help="language of the text (default: the municipality's country's language)")
    schemas = commands.add_parser("schemas", help="write the JSON Schemas of every content type for editors")
    schemas.add_argument("--out", type=Path, default=None, help="folder (default: schemas/ next to site.yaml)")
    return parser


def _github_escape(text: str, in_property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if in_property else text


def _print_machine_diagnostics(diagnostics: list[Diagnostic], style: str) -> None:
    if style == "json":
        records = [
            {
                "path": d.path,
                "line": d.line,
                "column": d.column,
                "severity": d.severity.value,
                "message": d.message,
                "hint": d.hint,
            }
            for d in diagnostics
        ]
        print(
            json.dumps(
                {"diagnostics": records, "errors": sum(d.severity.value == "error" for d in diagnostics)},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for d in diagnostics:
        message = d.message + (f" ({d.hint})" if d.hint else "")
        print(
            f"::{d.severity.value} file={_github_escape(d.path, True)},line={d.line},col={d.column}::{_github_escape(message)}"
        )


def _progress_line() -> Callable[[str], None]:
    """A one-line progress display on a terminal; silent in CI and when the output is a file or pipe."""
    import time

    if not _progress_enabled():
        return lambda phase: None
    started = time.perf_counter()

    def show(phase: str) -> None:
        print(f"\r\033[K[{time.perf_counter() - started:5.1f} s] {phase}…", end="", file=sys.stderr, flush=True)

    return show


def _progress_enabled() -> bool:
    return not os.environ.get("CI") and sys.stderr.isatty()


def _clear_progress_line() -> None:
    if _progress_enabled():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)
    errors = sum(1 for d in diagnostics if d.severity.value == "error")
    if errors:
        print(f"{errors} error(s) found.", file=sys.stderr)


_COUNTRY_LANGUAGE = {"NO": "nb", "SE": "sv", "DK": "da", "FI": "fi", "IS": "is"}
_NEW_TITLE = {"nb": "Nytt dokument", "sv": "Nytt dokument", "en": "New document"}


def _new(config_path: Path, doc_type: str, municipality: str | None, title: str | None, lang: str | None) -> int:
    import datetime as dt

    from .build import load_site
    from .diagnostics import Diagnostics
    from .scaffold import scaffold

    diagnostics = Diagnostics()
    site = load_site(config_path, diagnostics)
    if site is None:
        _print_diagnostics(diagnostics.sorted())
        print("Fix these problems first: a new document is checked against the existing content.", file=sys.stderr)
        return EXIT_CONTENT
    municipalities = site.registries.municipalities
    if not municipalities:
        print("error: data/municipalities.yaml has no municipality yet; add one first", file=sys.stderr)
        return EXIT_USAGE
    chosen = municipality or next(iter(sorted(municipalities)))
    if chosen not in municipalities:
        print(f"error: no municipality '{chosen}' in data/municipalities.yaml", file=sys.stderr)
        print("choose one of: " + ", ".join(sorted(municipalities)), file=sys.stderr)
        return EXIT_USAGE
    language = lang or _COUNTRY_LANGUAGE.get(municipalities[chosen].value.country, "en")
    partner = next((m for m in sorted(municipalities) if m != chosen), chosen)
    networks = [k for k, e in sorted(site.registries.organisations.items()) if e.value.kind == "network"]
    organisation = (networks or sorted(site.registries.organisations) or ["add-an-organisation"])[0]
    path, text = scaffold(
        site.config, doc_type, chosen, title or _NEW_TITLE.get(language, "New document"), language,
        dt.date.today(), partner, organisation,
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {path.relative_to(site.config.root).as_posix()}:\n")
    print(text)
    return EXIT_OK


GC_THRESHOLDS = (100_000, 50, 10)
"""Python's cycle collector, run less often than by default (700, 10, 10): a build makes millions of
objects that live until it ends, and each collection walked them to free next to nothing (at 10,000
documents 5.9 s of a one-document rebuild's 36, against 0.9 s with these; the peak memory was the same)."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    gc.set_threshold(*GC_THRESHOLDS)
    config_path: Path = args.config
    if args.command == "check":
        from .build import check

        diagnostics = check(config_path)
        if args.format != "text":
            _print_machine_diagnostics(diagnostics.sorted(), args.format)
            return EXIT_CONTENT if diagnostics.has_errors() else EXIT_OK
        _print_diagnostics(diagnostics.sorted())
        if diagnostics.has_errors():
            return EXIT_CONTENT
        print("No problems found.")
        return EXIT_OK
    if args.command == "build":
        from .cache import BuildCache

        out_dir: Path = args.out if args.out is not None else config_path.resolve().parent / "_site"
        options = {**BUILD_OPTIONS, "search": args.search}
        cache = BuildCache.open(config_path, options)
        if cache.up_to_date(out_dir):
            print(f"Nothing changed since the last build; {out_dir} is up to date.")
            return EXIT_OK
        from .build import build  # after the check: an unchanged rebuild does not need the rest of the build

        try:
            jobs = _jobs_or_default(args.jobs)
            result = build(
                config_path, out_dir, progress=_progress_line(), jobs=jobs, cache=cache, search=options["search"]
            )
        except BuildFailed as failure:
            _clear_progress_line()
            _print_diagnostics(failure.diagnostics)
            print("The build failed; nothing was written.", file=sys.stderr)
            return EXIT_CONTENT
        except OutputRefused as refusal:
            _clear_progress_line()
            print(f"error: {refusal}", file=sys.stderr)
            return EXIT_CONTENT
        _clear_progress_line()
        print(f"Built {len(result.files)} files into {out_dir}")
        return EXIT_OK
    if args.command == "serve":
        from .serve import serve

        return serve(config_path, args.port, jobs=_jobs_or_default(args.jobs))
    if args.command == "new":
        return _new(config_path, args.type, args.municipality, args.title, args.lang)
    if args.command == "schemas":
        from .schemas import write_schemas

        folder: Path = args.out if args.out is not None else config_path.resolve().parent / "schemas"
        written = write_schemas(folder)
        print(f"Wrote {len(written)} schemas into {folder}")
        return EXIT_OK
    return EXIT_USAGE


def run() -> None:
    """The console script: `main`, quiet when the reader of our output goes away (e.g. `| head`)."""
    try:
        code = main()
    except BrokenPipeError:
        code = EXIT_OK
    except KeyboardInterrupt:
        code = 130
    _exit_at_once(code)


def _exit_at_once(code: int) -> None:
    """Exit without freeing every object of the site one by one, as mypy does: 0.2 s of a 2,000-page
    build. Everything the command writes is closed by then; only the standard streams wait."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


if __name__ == "__main__":
    run()
