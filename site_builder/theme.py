"""The theme: template folders (site theme first, default theme last), the Jinja2 environment, UI strings.

`default:NAME` always names the default theme's template, so an override can
extend the template it replaces.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import pickle
import traceback
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .config import DEFAULT_THEME
from .diagnostics import Diagnostics
from .graph import Site
from .i18n import Strings, load_strings
from .load import shown_path


@dataclass(frozen=True)
class Theme:
    """Everything rendering needs from the theme folders."""

    dirs: list[Path]
    """Site theme first (if any), default theme last."""
    environment: jinja2.Environment
    strings: dict[str, Strings]
    """UI strings per language."""
    assets: dict[str, bytes]
    """Static files by name below assets/; a site theme's file replaces the default one of that name."""
    integrity: dict[str, str]
    """Subresource Integrity value (sha384) of each asset, for the pages' <link> and <script> tags."""


class _CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in this process and in the user's cache folder, each checked
    against its template's source when read: compiling the theme's templates costs each build process
    (and each page worker) longer than rendering hundreds of pages."""

    def __init__(self, folder: Path | None) -> None:
        self._code: dict[str, bytes] = {}
        self._folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is None and self._folder is not None:
            try:
                code = (self._folder / f"{bucket.key}.cache").read_bytes()
            except OSError:
                return
        if code is not None:
            try:
                bucket.bytecode_from_string(code)  # refuses another Python's code and another source's
            except (EOFError, ValueError, TypeError, pickle.UnpicklingError):  # cut short: compile it again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code[bucket.key] = bucket.bytecode_to_string()
        if self._folder is None:
            return
        path = self._folder / f"{bucket.key}.cache"
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        try:
            self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial.write_bytes(code)
            partial.replace(path)  # whole or not at all, when builds run side by side
        except OSError:  # a read-only or missing home: the templates are compiled again next time
            with contextlib.suppress(OSError):
                partial.unlink()


def _user_cache_folder() -> Path | None:
    """Where compiled templates are kept between builds: the user's cache folder (XDG), per Jinja version."""
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home folder
        return None
    return base / "site-builder" / f"templates-jinja-{jinja2.__version__}"


_COMPILED = _CompiledTemplates(_user_cache_folder())


def make_environment(theme_dirs: list[Path]) -> jinja2.Environment:
    """Site theme first, default theme last; `default:` prefixes the default theme explicitly."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(d / "templates")) for d in theme_dirs]
    default_loader = jinja2.FileSystemLoader(str(DEFAULT_THEME / "templates"))
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader([*loaders, jinja2.PrefixLoader({"default": default_loader}, delimiter=":")]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build (and each rebuild in `serve`) makes a new environment, so templates need no
        # up-to-date check; without this Jinja stats the template file on every page and include.
        auto_reload=False,
        # Compiled templates are kept by their source's checksum: a build compiles only the templates that
        # changed since the last (in `serve`, compiling all of them took longer than rendering an edited page).
        bytecode_cache=_COMPILED,
    )
    environment.filters["json_ld"] = json_ld_text
    environment.globals["part"] = SharedParts(environment)
    return environment


class SharedParts:
    """`part(name, **values)` in a template: the template `name` rendered with `values` alone, once per
    build for each distinct set of values and reused on every page that gives the same.

    The menu and the footer are the same on thousands of pages of a language and folder depth, and
    rendering them again on each took about 5 % of a build's CPU time. Correct by construction: the part sees nothing
    but its values (which must be hashable), so the same values make the same HTML.
    """

    KEPT = 2000
    """Parts kept at most; further ones are rendered and not kept (a municipality's footer, with its own
    feed, is its alone), so `serve`'s memory stays bounded."""

    def __init__(self, environment: jinja2.Environment) -> None:
        self._environment = environment
        self._made: dict[tuple[Hashable, ...], Markup] = {}

    def __call__(self, name: str, **values: Hashable) -> Markup:
        key = (name, *sorted(values.items()))
        made = self._made.get(key)
        if made is None:
            made = Markup(self._environment.get_template(name).render(values))
            if len(self._made) < self.KEPT:
                self._made[key] = made
        return made


def json_ld_text(value: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> block; '<' is escaped so no tag can close it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def template_location(exc: BaseException, root: Path) -> tuple[str, int]:
    """The innermost template frame in a rendering error's traceback."""
    for frame, line in reversed(list(traceback.walk_tb(exc.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.endswith(".html") or filename.endswith(".xml"):
            return shown_path(Path(filename), root), line
    return "templates", 1


def theme_dirs(site: Site) -> list[Path]:
    """The site's own theme (if any) first, then the default theme."""
    dirs = [DEFAULT_THEME]
    if site.config.theme_dir is not None and site.config.theme_dir.resolve() != DEFAULT_THEME.resolve():
        dirs.insert(0, site.config.theme_dir)
    return dirs


def load_theme(site: Site, diagnostics: Diagnostics) -> Theme | None:
    """Read the UI strings and set up the templates; None (with diagnostics) if the theme is broken."""
    dirs = theme_dirs(site)
    strings = load_strings(list(reversed(dirs)), list(site.config.settings.languages), site.config.root, diagnostics)
    if diagnostics.has_errors():
        return None
    try:
        environment = make_environment(dirs)
    except jinja2.TemplateError as exc:
        diagnostics.error("templates", 1, 1, f"cannot set up templates: {exc}")
        return None
    assets: dict[str, bytes] = {}
    for directory in reversed(dirs):
        folder = directory / "assets"
        if folder.is_dir():
            for asset in sorted(p for p in folder.rglob("*") if p.is_file()):
                assets[asset.relative_to(folder).as_posix()] = asset.read_bytes()
    integrity = {
        name: "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")
        for name, data in assets.items()
    }
    return Theme(dirs, environment, strings, dict(sorted(assets.items())), integrity)
