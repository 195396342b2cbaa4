"""The hostile corpus: each file in manifest.yaml is refused with a named diagnostic or published harmlessly.

Content arrives as pull requests from anyone. Every file here is what an attacker (or a careless
editor) could send; manifest.yaml says what the build must make of it:

- `diagnostic: "<text>"`: `check` fails, one diagnostic names the file and contains the text, and the
  CLI's `check` exits 1 without a traceback;
- `published: {page, must_contain, must_not_contain}`: the build succeeds, the page holds (or lacks) the
  given strings, and no HTML page of the build carries a script, an event handler or a script URL.

A case is placed at content/decisions/tromso/<file> unless it gives `target`. Exact bytes that git or an
editor would not keep (latin-1, UTF-16, a BOM, CRLF, NUL) are made at run time by `transform`; large
files (`padding`) and the symbolic link out of the project (`symlink_outside`) too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import diagnostics_of
from safety import time_limit, unsafe_pages

from site_builder.build import build

HERE = Path(__file__).resolve().parent
MANIFEST: list[dict[str, Any]] = yaml.safe_load((HERE / "manifest.yaml").read_text(encoding="utf-8"))["cases"]
DEFAULT_FOLDER = "content/decisions/tromso"
DEFAULT_SECONDS = 120
"""How long a check or build of one case may take unless the case says `within_seconds`: a bomb that
makes the checker hang fails its test instead of stalling the suite."""

NUL_STAND_IN = "\u2400"
"""SYMBOL FOR NULL in a committed file becomes a real NUL byte at run time."""


def target_of(case: dict[str, Any]) -> str:
    return str(case.get("target") or f"{DEFAULT_FOLDER}/{case['file']}")


def hostile_bytes(case: dict[str, Any]) -> bytes:
    """The file's exact bytes: the committed UTF-8 text with the case's transforms applied in order."""
    text = (HERE / case["file"]).read_text(encoding="utf-8")
    encoding = "utf-8"
    bom = b""
    for step in case.get("transform", []):
        if step == "crlf":
            text = text.replace("\n", "\r\n")
        elif step == "cr":
            text = text.replace("\n", "\r")
        elif step == "nul":
            assert NUL_STAND_IN in text, f"{case['file']} has no {NUL_STAND_IN!r} to turn into NUL"
            text = text.replace(NUL_STAND_IN, "\x00")
        elif step == "bom":
            bom = b"\xef\xbb\xbf"
        elif step in ("latin-1", "utf-16"):
            encoding = step
        else:
            raise AssertionError(f"{case['file']}: unknown transform {step!r}")
    data = bom + text.encode(encoding)
    padding = case.get("padding")
    if padding:
        paragraph = (padding["text"] * padding["repeat"] + "\n\n").encode(encoding)
        data += paragraph * ((padding["to_bytes"] - len(data)) // len(paragraph) + 1)
        assert len(data) > padding["to_bytes"]
    return data


def place(case: dict[str, Any], config: Path, outside: Path) -> None:
    """Write the case into the project made by `make_project`."""
    root = config.parent
    path = root / target_of(case)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(hostile_bytes(case))
    link = case.get("symlink_outside")
    if link:
        secret = outside / "secret.pdf"
        secret.write_bytes(b"%PDF-1.4 not for publishing\n")
        where = root / link
        where.parent.mkdir(parents=True, exist_ok=True)
        try:
            where.symlink_to(secret)
        except OSError as exc:  # pragma: no cover - Windows without the privilege
            pytest.skip(f"cannot create a symbolic link here: {exc}")
        assert not where.resolve().is_relative_to(root.resolve())


def run_check_cli(config: Path, seconds: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", "--config", str(config), "check"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=config.parent,
        timeout=seconds,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_manifest_lists_every_file_once():
    listed = [case["file"] for case in MANIFEST]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    on_disk = {p.name for p in HERE.iterdir() if p.is_file() and p.suffix in (".md", ".yaml")} - {"manifest.yaml"}
    assert on_disk == set(listed), "every corpus file needs a manifest entry and every entry a file"
    for case in MANIFEST:
        assert ("diagnostic" in case) != ("published" in case), f"{case['file']}: give diagnostic or published"


@pytest.mark.parametrize("case", MANIFEST, ids=[case["file"] for case in MANIFEST])
def test_hostile_document(case, make_project, tmp_path_factory):
    config = make_project()
    place(case, config, tmp_path_factory.mktemp("outside-the-project"))
    target = target_of(case)
    seconds = case.get("within_seconds", DEFAULT_SECONDS)

    if "diagnostic" in case:
        expected = case["diagnostic"]
        # The CLI first, under a time limit: a bomb that hangs the checker must not hang the suite.
        cli = run_check_cli(config, seconds)
        output = cli.stdout + cli.stderr
        assert "Traceback" not in output, output[-3000:]
        assert cli.returncode == 1, output[-3000:]
        with time_limit(seconds):
            problems = diagnostics_of(config)
        naming = [p for p in problems if p.startswith(f"{target}:")]
        assert any(expected in p for p in naming), (
            f"expected a diagnostic on {target} containing {expected!r}; got {problems}"
        )
        assert any(line.startswith(f"{target}:") and expected in line for line in cli.stderr.splitlines())
    else:
        expected = case["published"]
        with time_limit(seconds):
            problems = diagnostics_of(config)
            assert [p for p in problems if ": error: " in p] == []
            result = build(config)
        html = result.files[expected["page"]].decode("utf-8")
        for needle in expected.get("must_contain", []):
            assert needle in html, f"{expected['page']} lacks {needle!r}"
        for needle in expected.get("must_not_contain", []):
            assert needle not in html, f"{expected['page']} contains {needle!r}"
        assert unsafe_pages(result.files) == {}


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script type="application/ld+json" src="https://evil.example/x.js"></script>',
        "<SCRIPT>alert(1)</SCRIPT>",
        '<img src="x" onerror="alert(1)">',
        "<p ONCLICK=alert(1)>x</p>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<a href="vbscript:x">x</a>',
        "<iframe src=https://example.org/></iframe>",
        '<base href="https://evil.example/">',
        '<meta http-equiv="refresh" content="0; url=javascript:alert(1)">',
        '<meta http-equiv="set-cookie" content="a=b">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<link rel="import" href="x.html">',
        '<p style="width: expression(alert(1))">x</p>',
        "<svg><a>x</a></svg>",
        "<math><mi>x</mi></math>",
        '<form action="https://evil.example/"></form>',
        '<object data="x"></object>',
        '<embed src="x">',
    ],
)
def test_the_safety_check_catches_hostile_markup(html):
    assert unsafe_pages({"page.html": html.encode()}) != {}


def test_the_safety_check_accepts_the_shipped_site(shipped_build):
    """The theme's own markup (JSON-LD, CSP, the root redirect, the stylesheet) passes the check."""
    assert unsafe_pages(shipped_build.files) == {}
