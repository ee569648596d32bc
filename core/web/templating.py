"""Jinja configuration. Nothing translation-related is installed on the environment: each render
gets its own ``_`` bound to the request's translator, so concurrent requests never share a language."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import Any

from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from core.web.links import linkify, paragraphs

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
# The fonts the PDF reports embed, served to browsers too (app.css loads the Chinese one only for
# the characters it covers), so Chinese renders on machines without a CJK system font.
FONTS_DIR = Path(str(files("core.reports") / "fonts"))


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.autoescape = True
    env.trim_blocks = True
    env.lstrip_blocks = True
    # Free text typed by members, with safe links (core.web.links): for core's templates and plugins'.
    env.filters["linkify"] = linkify
    env.filters["paragraphs"] = paragraphs


def template_config(plugin_dirs: list[Path] | None = None) -> TemplateConfig:
    """Core's templates first, then the plugins' (each under a folder named after its plugin), so a
    plugin's template can extend ``base.html`` but never replace one of core's."""
    directories: list[Path | os.PathLike[Any] | str] = [TEMPLATE_DIR, *(plugin_dirs or [])]
    return TemplateConfig(directory=directories, engine=JinjaTemplateEngine, engine_callback=_configure)
