"""When each source file last changed, from the repository's git history.

Commit dates, not file times: they are the same in every clone, so builds
stay byte-identical. Outside a git checkout (or without git) nothing is known
and pages simply show no date.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path


def last_changes(root: Path, folders: list[Path]) -> dict[str, dt.date]:
    """The date of the newest commit touching each file below `folders`, keyed by path relative to `root`."""
    git = shutil.which("git")
    if git is None:
        return {}
    try:
        top = subprocess.run(
            [git, "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True
        ).stdout.strip()
        log = subprocess.run(
            [git, "-C", top, "log", "--format=%x00%cs", "--name-only", "--no-renames", "--", *map(str, folders)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    top_path = Path(top).resolve()
    changes: dict[str, dt.date] = {}
    date: dt.date | None = None
    for line in log.splitlines():
        if line.startswith("\x00"):
            date = dt.date.fromisoformat(line[1:])
        elif line and date is not None:
            try:
                relative = (top_path / line).resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                continue
            changes.setdefault(relative, date)
    return changes
