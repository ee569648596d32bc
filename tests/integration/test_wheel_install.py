"""A wheel is a whole install. Built from the source tree (through an sdist, as a release is) and
installed into a fresh virtualenv, the app runs from an empty folder given only ``--tenants-dir``:
``pilot-crm demo`` and ``serve`` work, pages carry core's wording in each tenant's language, static
files are served, and nothing is written outside the folder it runs in."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from tests.support import (
    REPO_ROOT,
    SHIPPED_TENANTS,
    app_environment,
    copy_shipped_tenants,
    drop_databases,
    free_port,
    fresh_venv,
    get,
    run,
    serving,
    translation,
)

# Files the app reads at run time; anything else in the tree (notes, compiled files) may stay out.
RUNTIME_SUFFIXES = {".py", ".html", ".css", ".js", ".svg", ".po", ".pot", ".LICENSE", ".jinja", ".ttf"}
# Each shipped tenant and its default language, the language of its pages when none is asked for.
LOGIN_LANGUAGES = {"mex": "es", "ago": "pt", "demo-ar": "ar"}


def runtime_files() -> set[str]:
    """Where every file the app needs must sit in the wheel: core's and the plugins' modules (not
    the plugins' own tests), migrations, templates, static files and catalogs as in the tree, and
    core's catalogs (the top-level ``locales/``) as the package ``core.locales``."""
    files = set()
    for top in ("core", "plugins"):
        for path in (REPO_ROOT / top).rglob("*"):
            # A plugin's own tests (plugins/<name>/tests) are for its developers, not the app.
            skipped = "__pycache__" in path.parts or (top == "plugins" and "tests" in path.parts)
            if path.is_file() and path.suffix in RUNTIME_SUFFIXES and not skipped:
                files.add(path.relative_to(REPO_ROOT).as_posix())
    for path in (REPO_ROOT / "locales").rglob("*"):
        if path.suffix in (".po", ".pot"):
            files.add(f"core/locales/{path.relative_to(REPO_ROOT / 'locales').as_posix()}")
    return files


@pytest.fixture(scope="module")
def venv(app_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding the app's wheel alone (its dependencies borrowed)."""
    return fresh_venv(tmp_path_factory.mktemp("venv"), app_wheel)


def test_wheel_holds_every_runtime_file(app_wheel):
    names = set(zipfile.ZipFile(app_wheel).namelist())
    expected = runtime_files()
    # The groups this test is about, so it cannot pass on an empty expectation.
    for locale in ("en", "es", "pt", "fr", "ar", "zh", "ru"):
        assert f"core/locales/{locale}/LC_MESSAGES/messages.po" in expected
    assert {
        "core/web/templates/base.html",
        "core/web/static/app.css",
        "core/web/static/vendor/htmx.min.js",
        "core/reports/fonts/DroidSansFallback.ttf",
    } <= expected
    assert any(name.startswith("core/db/piccolo_migrations/pilot_crm_core_") for name in expected)
    assert {  # what ``pilot-crm plugins new`` writes a plugin from
        "core/plugins/scaffold_template/package/plugin.py.jinja",
        "core/plugins/scaffold_template/translations/sw.po",
    } <= expected
    assert sorted(expected - names) == []
    assert not [name for name in names if name.split("/")[0] in ("locales", "tenants", "tests")]


def test_the_app_is_imported_from_the_venv(venv, tmp_path):
    """The app, its plugins and its metadata (entry points) come from the wheel, not the checkout."""
    script = (
        "import importlib.metadata as m, core, plugins.mexico;"
        "print(core.__file__); print(plugins.mexico.__file__);"
        "print(m.distribution('pilot-crm').locate_file(''))"
    )
    out = run([str(venv / "bin" / "python"), "-c", script], cwd=tmp_path, env=app_environment())
    paths = [Path(line) for line in out.splitlines()]
    assert len(paths) == 3 and all(path.resolve().is_relative_to(venv.resolve()) for path in paths), paths


def test_default_tenants_dir_is_the_working_directorys(venv, tmp_path):
    copy_shipped_tenants(tmp_path / "tenants", "sqlite")
    out = run([str(venv / "bin" / "pilot-crm"), "tenants", "list"], cwd=tmp_path, env=app_environment())
    assert sorted(line.split("\t")[0] for line in out.splitlines()) == sorted(SHIPPED_TENANTS)
    assert sorted(os.listdir(tmp_path)) == ["tenants"]


def test_demo_and_serve_from_an_empty_folder(venv, backend, tmp_path):
    here, declarations = tmp_path / "empty", tmp_path / "declarations"
    here.mkdir()
    urls = copy_shipped_tenants(declarations, backend)
    pilot_crm = [str(venv / "bin" / "pilot-crm"), "--tenants-dir", str(declarations)]
    env = app_environment()
    try:
        seeded = run([*pilot_crm, "demo"], cwd=here, env=env)
        assert all(f"{slug}: " in seeded for slug in SHIPPED_TENANTS), seeded
        port = free_port()
        with serving(
            [*pilot_crm, "serve", "--port", str(port)], port, tmp_path / "serve.log", env, here
        ) as origin:
            for slug, locale in LOGIN_LANGUAGES.items():
                status, _, body = get(f"{origin}/t/{slug}/login")
                page = body.decode()
                sign_in = translation(locale, "Sign in")
                assert sign_in != "Sign in", f"the {locale} catalog does not translate 'Sign in'"
                assert status == 200 and f'<html lang="{locale}"' in page
                assert sign_in in page and translation(locale, "Email address") in page, page[:2000]
            status, content_type, css = get(f"{origin}/static/app.css")
            assert status == 200 and content_type.startswith("text/css")
            assert css == (REPO_ROOT / "core" / "web" / "static" / "app.css").read_bytes()
            status, _, script = get(f"{origin}/static/vendor/htmx.min.js")
            assert status == 200 and script == (REPO_ROOT / "core/web/static/vendor/htmx.min.js").read_bytes()
            # app.css loads the shipped Chinese font from the app's own host
            status, _, font = get(f"{origin}/fonts/DroidSansFallback.ttf")
            assert b'url("/fonts/DroidSansFallback.ttf")' in css
            shipped = (REPO_ROOT / "core/reports/fonts/DroidSansFallback.ttf").read_bytes()
            assert status == 200 and font == shipped
    finally:
        drop_databases(urls)
    # Everything the app wrote is in the folder it ran in: no tenants/ or var/ next to its packages.
    assert sorted(os.listdir(here)) == ["var"]
    if backend == "sqlite":
        assert {f"{slug}.sqlite3" for slug in SHIPPED_TENANTS} <= set(os.listdir(here / "var"))
    assert sorted(os.listdir(declarations)) == sorted(f"{slug}.toml" for slug in SHIPPED_TENANTS)
    assert not [path for path in venv.rglob("*") if path.name in ("var", "tenants")]
