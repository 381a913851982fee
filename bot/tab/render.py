"""Rendering the tab's pages with Jinja2 (autoescaped HTML, templates in the package)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.plan.labels import day_label
from bot.tab.charts import status_class
from bot.tab.views import when_label
from cards.update_form import EVIDENCE, KEY, MAX_TEXT, PERSONAL_DATA, REVISED, STATUS, TEXT

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
THEMES = ("default", "dark", "contrast")
# The update form's field names are the dialog's, so one validation reads both.
FIELDS = {
    "status": STATUS,
    "text": TEXT,
    "revised": REVISED,
    "evidence": EVIDENCE,
    "key": KEY,
    "personal_data": PERSONAL_DATA,
}


def theme_of(value: str | None) -> str:
    """A Teams theme name we style ("default", "dark", "contrast"), default when unknown."""
    return value if value in THEMES else "default"


class Pages:
    """The template environment: built once per running bot, shared by all requests."""

    def __init__(self, static_url: str = "/tab/static") -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            static=static_url,
            fields=FIELDS,
            max_text=MAX_TEXT,
            status_class=status_class,
            day_label=day_label,
            when_label=when_label,
            urlencode=urlencode,
        )

    def render(self, template: str, **context: Any) -> str:
        """The page ``template`` filled in with ``context``."""
        return self.env.get_template(template).render(**context)
