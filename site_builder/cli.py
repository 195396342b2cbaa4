"""The `site-builder` command: build, check.

Exit codes: 0 success, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .diagnostics import BuildFailed, Diagnostic
from .write import OutputRefused

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2


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
    commands.add_parser("check", help="validate all content and write nothing")
    schemas = commands.add_parser("schemas", help="write the JSON Schemas of every content type for editors")
    schemas.add_argument("--out", type=Path, default=None, help="folder (default: schemas/ next to site.yaml)")
    return parser


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)
    errors = sum(1 for d in diagnostics if d.severity.value == "error")
    if errors:
        print(f"{errors} error(s) found.", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config_path: Path = args.config
    if args.command == "check":
        from .build import check

        diagnostics = check(config_path)
        _print_diagnostics(diagnostics.sorted())
        if diagnostics.has_errors():
            return EXIT_CONTENT
        print("No problems found.")
        return EXIT_OK
    if args.command == "build":
        from .build import build

        out_dir: Path = args.out if args.out is not None else config_path.resolve().parent / "_site"
        try:
            result = build(config_path, out_dir)
        except BuildFailed as failure:
            _print_diagnostics(failure.diagnostics)
            print("The build failed; nothing was written.", file=sys.stderr)
            return EXIT_CONTENT
        except OutputRefused as refusal:
            print(f"error: {refusal}", file=sys.stderr)
            return EXIT_CONTENT
        print(f"Built {len(result.files)} files into {out_dir}")
        return EXIT_OK
    if args.command == "schemas":
        from .schemas import write_schemas

        folder: Path = args.out if args.out is not None else config_path.resolve().parent / "schemas"
        written = write_schemas(folder)
        print(f"Wrote {len(written)} schemas into {folder}")
        return EXIT_OK
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
