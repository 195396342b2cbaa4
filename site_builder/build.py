"""The whole build, phase by phase: config → load → model → graph → render → write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig, load_config
from .diagnostics import BuildFailed, Diagnostics
from .graph import Site, build_site
from .history import last_changes
from .load import load_content, load_registries
from .model import validate_documents, validate_registries
from .models import REGISTRIES


@dataclass
class BuildResult:
    site: Site
    files: dict[str, bytes]
    """Every output file by its path below the output folder."""


def load_site(config_path: Path, diagnostics: Diagnostics) -> Site | None:
    """Read, validate and resolve everything; None if the content has errors."""
    config = load_config(config_path, diagnostics)
    if config is None:
        return None
    raw_registries = load_registries(config.data_dir, list(REGISTRIES), config.root, diagnostics)
    raw_documents = load_content(config.content_dir, config.root, diagnostics)
    registries = validate_registries(raw_registries, diagnostics)
    documents = validate_documents(raw_documents, diagnostics)
    history = last_changes(config.root, [config.content_dir, config.data_dir])
    site = build_site(config, registries, documents, diagnostics, history)
    return None if diagnostics.has_errors() else site


def check(config_path: Path) -> Diagnostics:
    """Validate everything and write nothing."""
    diagnostics = Diagnostics()
    load_site(config_path, diagnostics)
    return diagnostics


def build(config_path: Path, out_dir: Path | None = None) -> BuildResult:
    """Build the site; write it to `out_dir` when given. Raises BuildFailed on content errors."""
    from .opendata.exports import derive_open_data
    from .render import render_site
    from .theme import load_theme
    from .write import write_site

    diagnostics = Diagnostics()
    site = load_site(config_path, diagnostics)
    theme = load_theme(site, diagnostics) if site is not None else None
    if site is None or theme is None:
        raise BuildFailed(diagnostics.sorted())
    open_data = derive_open_data(site, theme.strings, diagnostics)
    files = render_site(site, theme, open_data, diagnostics) if not diagnostics.has_errors() else {}
    if diagnostics.has_errors():
        raise BuildFailed(diagnostics.sorted())
    if out_dir is not None:
        write_site(files, out_dir, protected=_protected_paths(site.config))
    return BuildResult(site=site, files=files)


def _protected_paths(config: SiteConfig) -> list[Path]:
    """Folders the output may never replace: the project and every folder of sources."""
    folders = [config.root, config.content_dir, config.data_dir, config.files_dir, config.root / "themes"]
    folders.append(config.root / "site_builder")
    if config.theme_dir is not None:
        folders.append(config.theme_dir)
    return folders
