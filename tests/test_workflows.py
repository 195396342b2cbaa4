"""The GitHub workflows check pull requests and publish main, and the contribution files guide editors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
PUBLISH = WORKFLOWS / "publish.yml"

# owner/repo[/path]@vN[.N[.N]], or a full commit SHA, which is pinned even harder than a tag.
PINNED_ACTION = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")
# Ways a step could fetch something from outside the package registries.
DOWNLOADERS = re.compile(r"\b(curl|wget|Invoke-WebRequest|iwr|git\s+clone|gh\s+release\s+download)\b|https?://")


def load(path: Path) -> dict[str, Any]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict), f"{path.name} is not a YAML mapping"
    return workflow


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The `on:` mapping. YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True."""
    on = workflow.get("on", workflow.get(True))
    assert on is not None, "the workflow has no `on:` triggers"
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict)
    return on


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    found = job.get("steps")
    assert isinstance(found, list) and found, "a job without steps"
    return found


def all_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in steps(job)]


def action(step: dict[str, Any]) -> str:
    """`actions/checkout` for `uses: actions/checkout@v4`; empty for a `run:` step."""
    uses = step.get("uses", "")
    return str(uses).split("@", 1)[0]


def index_of(job_steps: list[dict[str, Any]], *, run: str = "", uses: str = "") -> int:
    """The position of the first step whose command contains `run`, or which uses the action `uses`."""
    for position, step in enumerate(job_steps):
        if run and run in str(step.get("run", "")):
            return position
        if uses and action(step) == uses:
            return position
    raise AssertionError(f"no step {'runs ' + repr(run) if run else 'uses ' + repr(uses)}")


def permissions_of(workflow: dict[str, Any], job: dict[str, Any]) -> dict[str, str]:
    """The job's own permissions replace the workflow's; they are not merged."""
    granted = job.get("permissions", workflow.get("permissions", {}))
    assert isinstance(granted, dict), "permissions should be listed one by one, not read-all or write-all"
    return granted


def job_using(workflow: dict[str, Any], uses: str) -> tuple[str, dict[str, Any]]:
    matches = [(name, job) for name, job in workflow["jobs"].items() if any(action(s) == uses for s in steps(job))]
    assert len(matches) == 1, f"expected one job using {uses}, found {[name for name, _ in matches]}"
    return matches[0]


# --- every workflow ------------------------------------------------------------------------------------------


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def test_both_workflows_exist() -> None:
    assert PULL_REQUEST in workflow_files()
    assert PUBLISH in workflow_files()


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_workflow_is_valid_yaml_with_jobs_and_steps(path: Path) -> None:
    workflow = load(path)
    assert workflow.get("name"), "give the workflow a name for the Checks tab"
    assert triggers(workflow)
    jobs = workflow.get("jobs")
    assert isinstance(jobs, dict) and jobs
    for name, job in jobs.items():
        assert job.get("runs-on"), f"job {name} has no runs-on"
        for step in steps(job):
            assert ("uses" in step) != ("run" in step), f"a step of {name} must either use an action or run a command"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_version(path: Path) -> None:
    for step in all_steps(load(path)):
        if "uses" in step:
            assert PINNED_ACTION.match(step["uses"]), f"{step['uses']} is not pinned to a version tag"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_no_step_downloads_anything_outside_the_package_registries(path: Path) -> None:
    for step in all_steps(load(path)):
        command = str(step.get("run", ""))
        assert not DOWNLOADERS.search(command), f"this step fetches from outside the registries: {command!r}"
        assert "--index-url" not in command and "--find-links" not in command, command


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_checkout_keeps_the_history_for_last_changed_dates(path: Path) -> None:
    checkouts = [step for step in all_steps(load(path)) if action(step) == "actions/checkout"]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("fetch-depth") == 0


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_python_is_3_11_with_a_pip_cache(path: Path) -> None:
    setups = [step for step in all_steps(load(path)) if action(step) == "actions/setup-python"]
    assert setups
    for step in setups:
        settings = step.get("with", {})
        assert str(settings.get("python-version")) == "3.11"
        assert settings.get("cache") == "pip"


# --- pull requests -------------------------------------------------------------------------------------------


def test_pull_request_workflow_runs_on_pull_requests_with_read_only_access() -> None:
    workflow = load(PULL_REQUEST)
    assert "pull_request" in triggers(workflow)
    assert "pull_request_target" not in triggers(workflow), "never run a fork's code with a write token"
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert permissions_of(workflow, job) == {"contents": "read"}


def test_pull_request_workflow_checks_builds_tests_and_uploads_a_preview() -> None:
    workflow = load(PULL_REQUEST)
    (job,) = workflow["jobs"].values()
    job_steps = steps(job)
    install = index_of(job_steps, run="pip install -e '.[test]'")
    check = index_of(job_steps, run="site-builder check --format github")
    build = index_of(job_steps, run="site-builder build")
    tests = index_of(job_steps, run="python -m pytest")
    handbook = index_of(job_steps, run="mkdocs build --strict -d _site/handbook")
    upload = index_of(job_steps, uses="actions/upload-artifact")
    assert install < check < build < handbook < upload
    assert install < tests
    # The site build replaces _site/ as a whole, so the handbook goes in after it.
    assert build < handbook
    artifact = job_steps[upload]["with"]
    assert artifact["name"] == "site-preview"
    assert artifact["path"].rstrip("/") == "_site"


def test_pull_request_workflow_lints_like_make_test() -> None:
    commands = "\n".join(str(step.get("run", "")) for step in all_steps(load(PULL_REQUEST)))
    for command in ("ruff check site_builder tests", "ruff format --check site_builder tests", "mypy"):
        assert command in commands


# --- publishing ----------------------------------------------------------------------------------------------


def test_publish_runs_on_pushes_to_main_and_by_hand() -> None:
    on = triggers(load(PUBLISH))
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on
    assert "pull_request" not in on


def test_publish_deploys_one_at_a_time_without_cancelling() -> None:
    assert load(PUBLISH)["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_deploy_job_uses_deploy_pages_with_its_permissions_and_environment() -> None:
    workflow = load(PUBLISH)
    name, deploy = job_using(workflow, "actions/deploy-pages")
    granted = permissions_of(workflow, deploy)
    assert granted["pages"] == "write"
    assert granted["id-token"] == "write"
    assert deploy["environment"]["name"] == "github-pages"
    (step,) = [s for s in steps(deploy) if action(s) == "actions/deploy-pages"]
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"
    assert "if" not in deploy, f"job {name} must not run when the build failed"


def test_deploy_needs_the_build_job_that_uploads_the_pages_artifact() -> None:
    workflow = load(PUBLISH)
    _, deploy = job_using(workflow, "actions/deploy-pages")
    build_name, build = job_using(workflow, "actions/upload-pages-artifact")
    needs = deploy["needs"]
    assert build_name in ([needs] if isinstance(needs, str) else needs)
    job_steps = steps(build)
    upload = index_of(job_steps, uses="actions/upload-pages-artifact")
    assert job_steps[upload]["with"]["path"].rstrip("/") == "_site"
    index_of(job_steps, uses="actions/configure-pages")


def test_publish_checks_before_it_uploads_so_a_failing_check_stops_the_deploy() -> None:
    workflow = load(PUBLISH)
    _, build = job_using(workflow, "actions/upload-pages-artifact")
    job_steps = steps(build)
    upload = index_of(job_steps, uses="actions/upload-pages-artifact")
    check = index_of(job_steps, run="site-builder check")
    tests = index_of(job_steps, run="python -m pytest")
    site = index_of(job_steps, run="site-builder build")
    handbook = index_of(job_steps, run="mkdocs build --strict -d _site/handbook")
    assert check < upload and tests < upload
    assert site < handbook < upload
    for step in job_steps[: upload + 1]:
        assert not step.get("continue-on-error"), f"a failure in {step.get('name')!r} must stop the deploy"
        assert "always()" not in str(step.get("if", ""))


def test_only_the_deploy_job_can_write_to_pages() -> None:
    workflow = load(PUBLISH)
    deploy_name, _ = job_using(workflow, "actions/deploy-pages")
    assert workflow.get("permissions") == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        if name != deploy_name:
            granted = permissions_of(workflow, job)
            assert granted.get("pages") in (None, "read"), name
            assert "id-token" not in granted, name


# --- guides for contributors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [".github/pull_request_template.md", "CONTRIBUTING.md"])
def test_contribution_guides_exist_and_mention_the_check(path: str) -> None:
    text = (REPO / path).read_text(encoding="utf-8")
    assert "site-builder check" in text


def test_pull_request_template_is_the_editors_checklist() -> None:
    text = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert text.count("- [ ]") >= 8
    for needed in ("files/", "editor_notes", "e-mail", "identity number", "site-preview"):
        assert needed in text


def test_contributing_names_the_commands_and_conventions() -> None:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for needed in (
        "make site",
        "make test",
        "site-builder new",
        "site-builder serve",
        "mkdocs build --strict",
        "docs/",
        "mypy --strict",
        "ruff check",
        "ruff format",
        ".ci/run",
    ):
        assert needed in text, needed
