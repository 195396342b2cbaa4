"""Write the rendered site atomically: all of it or, on failure, nothing.

The files go into a fresh staging folder beside the output, which then
replaces the output in two renames. The output folder is guarded: the build
never writes into the project's own folders or into a folder it did not make.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MARKER = ".site-builder-output"
"""A file in every output folder, so a later build knows the folder is its own to replace."""


class OutputRefused(Exception):
    """The output folder is not safe to write to, or writing failed; nothing was changed."""


def check_output_dir(out_dir: Path, protected: list[Path]) -> Path:
    """Resolve `out_dir` and refuse folders the build must not replace."""
    target = out_dir.resolve()
    for path in protected:
        path = path.resolve()
        if target == path or target in path.parents:
            raise OutputRefused(f"refusing to write the site to {out_dir}: it would replace {path}")
    if target.exists():
        if not target.is_dir():
            raise OutputRefused(f"refusing to write the site to {out_dir}: it is a file")
        if any(target.iterdir()) and not (target / MARKER).is_file():
            raise OutputRefused(
                f"refusing to write the site to {out_dir}: the folder is not empty and was not made by site-builder"
            )
    return target


def write_site(files: dict[str, bytes], out_dir: Path, protected: list[Path]) -> None:
    """Replace `out_dir` with exactly `files`."""
    target = check_output_dir(out_dir, protected)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.staging-{os.getpid()}"
    backup = target.parent / f".{target.name}.previous-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        for relative, content in files.items():
            path = staging / relative
            if staging not in path.resolve().parents:
                raise OutputRefused(f"refusing to write outside the output folder: {relative}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        (staging / MARKER).write_text("This folder is written by site-builder and replaced on every build.\n")
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputRefused(f"cannot write the site: {exc}") from exc
    except OutputRefused:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():
        target.rename(backup)
        staging.rename(target)
        shutil.rmtree(backup, ignore_errors=True)
    else:
        staging.rename(target)
