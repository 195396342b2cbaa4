"""The editor's workflow: scaffolds that pass, a live preview, precise machine-readable checks, a privacy lint."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import MINIMAL_DECISION, diagnostics_of

from site_builder.lint import find_personal_data, valid_fodselsnummer, valid_personnummer

DECISION = "content/decisions/tromso/tromso-nsc.md"
TYPES = ["decision", "strategy", "membership", "agreement", "commitment", "relations", "page"]


def cli(config: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "site_builder", "--config", str(config), *args],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def test_new_writes_a_valid_document_of_every_type(make_project):
    config = make_project()
    written = []
    for doc_type in TYPES:
        result = cli(config, "new", doc_type, "--title", f"Første {doc_type}")
        assert result.returncode == 0, result.stderr
        path = result.stdout.splitlines()[0].removeprefix("Wrote ").rstrip(":")
        written.append(path)
        text = (config.parent / path).read_text(encoding="utf-8")
        assert text.startswith("---\n# yaml-language-server: $schema=")
        schema_ref = text.splitlines()[1].split("$schema=")[1]
        assert (config.parent / path).parent.joinpath(schema_ref).resolve() == (
            config.parent / "schemas" / f"{doc_type}.schema.json"
        ).resolve()
        assert f"type: {doc_type}" in text and text in result.stdout
    # Without --municipality the first municipality is used, with its country's language.
    assert written[0] == "content/decisions/norrtalje/norrtalje-forste-decision.md"
    assert "lang: sv" in (config.parent / written[0]).read_text(encoding="utf-8")
    assert written[-1] == "content/pages/forste-page.md"
    check = cli(config, "check")
    assert check.returncode == 0, check.stderr


def test_new_refuses_an_unknown_municipality(make_project):
    result = cli(make_project(), "new", "decision", "--municipality", "atlantis")
    assert result.returncode == 2
    assert "no municipality 'atlantis'" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_formats_for_machines(make_project):
    config = make_project({DECISION: MINIMAL_DECISION.replace("status: adopted", "status: adoptd")})
    as_json = cli(config, "check", "--format", "json")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["errors"] == 1
    assert report["diagnostics"][0] | {"message": ""} == {
        "path": DECISION, "line": 6, "column": 1, "severity": "error", "message": "", "hint": "did you mean 'adopted'?",
    }  # fmt: skip
    github = cli(config, "check", "--format", "github")
    assert github.returncode == 1
    assert github.stdout.startswith(f"::error file={DECISION},line=6,col=1::status: 'adoptd' is not allowed")


VALID_FNR = "15076500565"
VALID_PNR = "811228-9874"


def test_identity_number_check_digits():
    assert valid_fodselsnummer(VALID_FNR)
    assert not valid_fodselsnummer("15076500566")  # wrong second check digit
    assert not valid_fodselsnummer("15076500575")  # wrong first check digit
    assert valid_personnummer("8112289874")
    assert valid_personnummer("1212121212")
    assert not valid_personnummer("8112289875")


def test_lint_catches_personal_data_with_file_and_line(make_project):
    text = MINIMAL_DECISION.replace(
        "Kommunen blir medlem.\n",
        f"Kommunen blir medlem.\nKontakt saksbehandler på ola.nordmann@example.no.\nFnr {VALID_FNR}, pnr {VALID_PNR}.\n"
        "Ring mobil 412 34 567.\nArkiv 22/09373-1, kostnad 75 000 DKK, feil kontrollsiffer 15076500566.\n",
    )
    problems = diagnostics_of(make_project({DECISION: text}))
    assert problems == [
        f"{DECISION}:10:26: error: this looks like an e-mail address, which must not be published (remove it, or list it under `public_contacts` if it is a public role's contact)",
        f"{DECISION}:11:5: error: this looks like a Norwegian national identity number (fødselsnummer), which must not be published (remove it, or list it under `public_contacts` if it is a public role's contact)",
        f"{DECISION}:11:22: error: this looks like a Swedish personal identity number (personnummer), which must not be published (remove it, or list it under `public_contacts` if it is a public role's contact)",
        f"{DECISION}:12:6: error: this looks like a phone number, which must not be published (remove it, or list it under `public_contacts` if it is a public role's contact)",
    ]


def test_public_role_contacts_pass(make_project):
    text = MINIMAL_DECISION.replace(
        "status: adopted\n", "status: adopted\npublic_contacts: [postmottak@tromso.kommune.no]\n"
    ).replace("Kommunen blir medlem.\n", "Skriv til postmottak@tromso.kommune.no.\n")
    assert diagnostics_of(make_project({DECISION: text})) == []
    assert [f.kind for f in find_personal_data("ring +47 77 79 00 00")] == ["a phone number"]


def test_personal_data_is_found_in_any_script_and_case():
    # The lint looks for its patterns' marks in the text's bytes first; what a mark may look like there
    # must not let a number through: digits of another script, labels in capitals, Nordic letters around.
    arabic_indic = VALID_FNR.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    fullwidth = VALID_FNR.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    number = "a Norwegian national identity number (fødselsnummer)"
    for text in (f"Søkeren, født {arabic_indic}, møtte.", f"Nr. {fullwidth} – «sak»"):
        assert [f.kind for f in find_personal_data(text)] == [number], text
    assert [f.text for f in find_personal_data("Kontakt: TLF: 912 34 567, æøå")] == ["TLF: 912 34 567"]
    assert [f.text for f in find_personal_data("Ring Telefon 91234567 før møtet")] == ["Telefon 91234567"]
    assert list(find_personal_data("Vedtak 2024/123456-7 om tilskudd til ærlig arbeid")) == []


def test_link_checker_reports_broken_links_and_anchors(make_project):
    text = MINIMAL_DECISION.replace(
        "Kommunen blir medlem.\n",
        "Kommunen blir medlem.\n\nSe [den andre saken](../finnes-ikke/) og [punkt 3](#punkt-3).\n\n"
        "Tilbake til [forsiden](../../#main), ikke til [noe](../../#ingenting).\n",
    )
    problems = diagnostics_of(make_project({DECISION: text}))
    assert len(problems) == 9  # three broken links, in each of the three languages' pages
    assert problems[0].startswith(f"{DECISION}:11:1: error: the page ")
    assert any("links to '../finnes-ikke/', which is not on the site" in p for p in problems)
    assert any("has no anchor '#punkt-3'" in p for p in problems)
    assert sum(f"{DECISION}:13:1: error:" in p and "has no anchor '#ingenting'" in p for p in problems) == 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def _wait_for(predicate, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def _interruptible() -> None:
    """Ctrl-C reaches the server as from a terminal even when the tests run in the background: a shell
    starts background commands with SIGINT ignored, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_serve_rebuilds_reloads_and_shows_errors(make_project, tmp_path):
    config = make_project()
    port = _free_port()
    temporary = tmp_path / "temporary"  # where serve keeps the pages it renders
    temporary.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "--config", str(config), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_interruptible,
        env={**os.environ, "TMPDIR": str(temporary)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    page = f"{base}/nb/decisions/tromso-nsc/"
    try:
        # The first build draws every chart cold (PNG included); later ones reuse the chart cache.
        assert _wait_for(lambda: "Kommunen blir medlem." in _get(page), 90), "the first build was not served"
        assert list(temporary.glob("site-builder-serve-*"))
        assert '<script src="/__serve__/reload.js"></script>' in _get(page)
        assert "EventSource" in _get(f"{base}/__serve__/reload.js")

        events: list[str] = []

        def listen() -> None:
            with urllib.request.urlopen(f"{base}/__serve__/events", timeout=20) as stream:
                for raw in stream:
                    events.append(raw.decode().strip())

        threading.Thread(target=listen, daemon=True).start()
        assert _wait_for(lambda: "event: build" in events, 5)
        seen = len(events)

        source = config.parent / DECISION
        source.write_text(
            MINIMAL_DECISION.replace("Kommunen blir medlem.", "Kommunen melder seg inn."), encoding="utf-8"
        )
        started = time.monotonic()
        assert _wait_for(lambda: "Kommunen melder seg inn." in _get(page), 10), "the edit did not reach the page"
        assert time.monotonic() - started < 5
        assert _wait_for(lambda: "event: build" in events[seen:], 5), "no reload event was sent"
        # The search index is made in the background, after the pages are served.
        entry = f"{base}/pagefind/pagefind-entry.json"
        assert _wait_for(lambda: '"languages"' in _get(entry), 30), "the search index was not served"

        source.write_text(MINIMAL_DECISION.replace("status: adopted", "status: adoptd"), encoding="utf-8")
        assert _wait_for(lambda: json.loads(_get(f"{base}/__serve__/errors"))["errors"], 10)
        errors = json.loads(_get(f"{base}/__serve__/errors"))["errors"]
        assert errors[0]["path"] == DECISION and errors[0]["line"] == 6
        assert "Kommunen melder seg inn." in _get(page), "the last good page must stay served"
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert f"{DECISION}:6:1: error: status: 'adoptd' is not allowed" in stderr
    assert "still serving the last good build" in stderr
    # Its pages are removed by a process of their own, which goes on after serve has ended.
    assert _wait_for(lambda: not list(temporary.iterdir()), 30), "serve's pages were left behind"


def test_serve_stopped_by_sigterm_stops_as_by_ctrl_c_and_removes_its_pages(make_project, tmp_path):
    # `kill`, process managers and editors' task runners stop a program with SIGTERM, not Ctrl-C.
    config = make_project()
    port = _free_port()
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "--config", str(config), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temporary)},
    )  # fmt: skip
    try:
        page = f"http://127.0.0.1:{port}/nb/decisions/tromso-nsc/"
        assert _wait_for(lambda: "Kommunen blir medlem." in _get(page), 90), "the first build was not served"
        assert list(temporary.glob("site-builder-serve-*"))
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert stderr.rstrip().endswith("Stopped."), stderr
    assert _wait_for(lambda: not list(temporary.iterdir()), 30), "serve's pages were left behind"


def test_vscode_maps_the_schemas():
    settings = json.loads((Path(__file__).resolve().parent.parent / ".vscode" / "settings.json").read_text())
    mapping = settings["yaml.schemas"]
    assert mapping["./schemas/data-municipalities.schema.json"] == ["data/municipalities.yaml"]
    for schema in mapping:
        assert (Path(__file__).resolve().parent.parent / schema).is_file(), schema


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_cli_survives_a_closed_pipe(make_project):
    config = make_project()
    command = f"{sys.executable} -m site_builder --config {config} new page --title Om | head -1"
    result = subprocess.run(command, shell=True, capture_output=True, text=True)
    assert result.stdout.startswith("Wrote ")
    assert "Traceback" not in result.stderr


def _build_on_a_terminal(config: Path, env: dict[str, str]) -> str:
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "--config", str(config), "build"],
        stdout=subprocess.DEVNULL, stderr=terminal, env=env,
    )  # fmt: skip
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(controller)
    assert process.returncode == 0
    return output.decode("utf-8", "replace")


def test_progress_line_on_a_terminal_and_quiet_in_ci(make_project):
    config = make_project()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    shown = _build_on_a_terminal(config, env)
    assert "rendering 1 documents in 3 languages…" in shown
    assert "checking every link…" in shown
    assert _build_on_a_terminal(config, {**env, "CI": "true"}) == ""
