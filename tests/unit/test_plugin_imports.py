"""In-repo plugins are written as outside plugins must be: importing nothing of Pilot CRM but its
public surface, ``core.plugin_api``. Every module of every plugin package is read (its syntax tree,
not a text search), so a new module or a new plugin is checked the day it is added."""

from __future__ import annotations

import ast
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

PUBLIC = "core.plugin_api"


def private_imports(source: str) -> list[str]:
    """The modules of ``core`` other than the public surface that ``source`` imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from core import errors`` imports the module core.errors.
            modules = (
                [f"core.{alias.name}" for alias in node.names] if node.module == "core" else [node.module]
            )
        else:
            continue
        found += [m for m in modules if (m == "core" or m.startswith("core.")) and m != PUBLIC]
    return found


def in_repo_plugins() -> list[Path]:
    """The package folder of every plugin this distribution declares."""
    folders = []
    for ep in entry_points(group="pilot_crm.plugins"):
        if ep.value.startswith("plugins."):
            folders.append(REPO_ROOT / "plugins" / ep.value.split(".")[1])
    return sorted(folders)


def test_the_country_plugins_are_checked():
    names = {folder.name for folder in in_repo_plugins()}
    assert {"mexico", "angola", "demo_ar"} <= names


@pytest.mark.parametrize("folder", in_repo_plugins(), ids=lambda folder: folder.name)
def test_a_plugin_imports_only_the_public_surface(folder: Path):
    modules = sorted(folder.rglob("*.py"))
    assert modules
    offending = {
        str(path.relative_to(REPO_ROOT)): imports
        for path in modules
        if "piccolo_migrations" not in path.parts
        and (imports := private_imports(path.read_text(encoding="utf-8")))
    }
    assert offending == {}


@pytest.mark.parametrize(
    "source",
    [
        "from core.errors import Message",
        "import core.db.routing",
        "from core import errors",
        "import core",
        "def f():\n    from core.tenancy.context import require_tenant",
    ],
)
def test_the_check_sees_every_way_of_importing_core(source: str):
    assert private_imports(source)


def test_the_public_surface_is_allowed():
    assert private_imports("from core.plugin_api import hookimpl, N_\nimport core.plugin_api") == []
