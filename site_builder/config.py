"""The site's settings, read from one YAML file at the project root (site.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError, model_validator

from .diagnostics import Diagnostics
from .models.common import HttpUrl, LocalizedText, StrictModel, localized
from .models.validate import report_validation_error
from .yamlio import YamlSyntaxError, parse_yaml

UiLanguage = Literal["nb", "nn", "sv", "da", "fi", "is", "en"]


class Licence(StrictModel):
    """The licence every page and dataset is published under."""

    id: str
    """An SPDX identifier, e.g. CC-BY-4.0."""
    name: str
    """The licence's name as readers see it."""
    url: HttpUrl
    """Where the licence text is published."""


class Repository(StrictModel):
    """Where the site's sources live, for "edit this page" links."""

    url: HttpUrl
    """The repository's web address, e.g. https://github.com/org/site."""
    branch: str = "main"
    """The branch the site is built from."""
    edit_path: str = "edit/{branch}/{path}"
    """How the host forms an edit link below `url`; {branch} and {path} are filled in."""


class Publisher(StrictModel):
    """Who publishes the site and its data."""

    name: str
    """The publisher's name."""
    url: HttpUrl | None = None
    """The publisher's web site."""


class SiteSettings(StrictModel):
    """Every setting in site.yaml."""

    name: LocalizedText
    """The site's name in each UI language; a language without one shows the default language's name."""
    description: LocalizedText = {}
    """One sentence about the site in each UI language."""
    base_url: HttpUrl
    """The address the site is published at, ending in a slash, e.g. https://example.org/."""
    languages: list[UiLanguage] = ["nb", "sv", "en"]
    """UI languages; each needs a strings file in the theme."""
    default_language: UiLanguage = "nb"
    """The language served at the site's root."""
    theme: str | None = None
    """A folder of templates and assets that override the default theme, relative to site.yaml."""
    licence: Licence
    """The licence of every page and dataset."""
    repository: Repository | None = None
    """The repository the site is built from, for "edit this page" links."""
    publisher: Publisher | None = None
    """Who publishes the site; named in the open-data catalogue."""
    content_dir: str = "content"
    """Folder of Markdown documents, relative to site.yaml."""
    data_dir: str = "data"
    """Folder of YAML registries, relative to site.yaml."""
    files_dir: str = "files"
    """Folder of files that documents refer to (source PDFs, attachments), relative to site.yaml."""

    def name_in(self, lang: str) -> str:
        return localized(self.name, lang, localized(self.name, self.default_language, ""))

    def description_in(self, lang: str) -> str:
        return localized(self.description, lang, localized(self.description, self.default_language, ""))

    @model_validator(mode="after")
    def _consistent(self) -> SiteSettings:
        if not self.base_url.endswith("/"):
            raise ValueError("base_url must end with '/'")
        if self.default_language not in self.languages:
            raise ValueError(f"default_language '{self.default_language}' is not one of languages")
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("languages lists a language twice")
        if self.default_language not in self.name:
            raise ValueError(f"name has no text for the default language '{self.default_language}'")
        return self


@dataclass(frozen=True)
class SiteConfig:
    """The settings plus where the project lives on disk."""

    settings: SiteSettings
    root: Path
    config_path: Path

    @property
    def content_dir(self) -> Path:
        return self.root / self.settings.content_dir

    @property
    def data_dir(self) -> Path:
        return self.root / self.settings.data_dir

    @property
    def files_dir(self) -> Path:
        return self.root / self.settings.files_dir

    @property
    def theme_dir(self) -> Path | None:
        return self.root / self.settings.theme if self.settings.theme else None


DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"


def load_config(config_path: Path, diagnostics: Diagnostics) -> SiteConfig | None:
    """Read site.yaml; problems go to `diagnostics` and the result is None."""
    shown = config_path.name
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        diagnostics.error(
            shown, 1, 1, f"no site configuration at {config_path}", "run from the site's folder or pass --config"
        )
        return None
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.error(shown, 1, 1, f"cannot read the configuration: {exc}")
        return None
    try:
        document = parse_yaml(text)
    except YamlSyntaxError as exc:
        diagnostics.error(shown, exc.line, exc.column, f"YAML syntax error: {exc.message}")
        return None
    for problem in document.problems:
        diagnostics.error(shown, problem.line, problem.column, problem.message, problem.hint)
    if document.problems:
        return None
    try:
        settings = SiteSettings.model_validate(document.data if document.data is not None else {})
    except ValidationError as exc:
        report_validation_error(exc, SiteSettings, document, shown, diagnostics)
        return None
    root = config_path.resolve().parent
    config = SiteConfig(settings=settings, root=root, config_path=config_path.resolve())
    if config.theme_dir is not None and not config.theme_dir.is_dir():
        diagnostics.error(shown, document.position(("theme",))[0], 1, f"theme folder '{settings.theme}' does not exist")
        return None
    return config
