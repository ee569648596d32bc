"""``pilot-crm plugins new`` writes a plugin that stands on its own: built with pip's tools and
installed into a fresh virtualenv next to the app's wheel, it passes its own generated tests there,
and a tenant enabling it, served by the installed app, speaks the plugin's Swahili."""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from click.testing import CliRunner

from core.cli.main import cli
from core.plugin_api import SUPPORTED_API_VERSIONS, TenantSpec
from core.plugins.scaffold import template_root
from core.testing.environment import postgres_reachable
from core.testing.pytest_plugin import chosen_backends
from tests.support import app_environment, build_wheel, free_port, fresh_venv, get, run, serving

PILOT_CRM = str(Path(sys.executable).with_name("pilot-crm"))
LINT = "E,F,W,I,B,UP,S,SIM,RUF"  # the project's selection (pyproject.toml [tool.ruff.lint])
SWAHILI = {
    "Wildlife trafficking": "Biashara haramu ya wanyamapori",
    "National registry number": "Namba ya usajili wa kitaifa",
}


def new(*args: str):
    return CliRunner().invoke(cli, ["plugins", "new", *args])


def catalog(package: Path, locale: str | None) -> dict[str, str]:
    path = package / "locales" / (f"{locale}/LC_MESSAGES/messages.po" if locale else "messages.pot")
    with path.open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh) if m.id}


# --- What it writes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("Kenya", "--country", "KEN", "--locales", "en"), "plugin name 'Kenya'"),
        (("k", "--country", "KEN", "--locales", "en"), "plugin name 'k'"),
        (("kenya-plugin", "--country", "KEN", "--locales", "en"), "plugin name 'kenya-plugin'"),
        (("class", "--country", "KEN", "--locales", "en"), "plugin name 'class'"),
        (("mexico", "--country", "MEX", "--locales", "es"), "a plugin named 'mexico' is already installed"),
        (("kenya", "--country", "KE", "--locales", "en"), "--country 'KE'"),
        (("kenya", "--country", "XXX", "--locales", "en"), "--country 'XXX'"),
        (("kenya", "--country", "KEN", "--locales", "en,xx"), "'xx' is not a known locale"),
        (("kenya", "--country", "KEN", "--locales", " , "), "--locales must name"),
    ],
)
def test_bad_arguments_are_refused_with_one_line_and_nothing_written(tmp_path, args, named):
    result = new(*args, "--output", str(tmp_path))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and named in line, line
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_touched(tmp_path):
    existing = tmp_path / "pilot-crm-kenya"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine", encoding="utf-8")
    result = new("kenya", "--country", "KEN", "--locales", "en,sw", "--output", str(tmp_path))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert f"{existing} already exists" in line
    assert [p.name for p in existing.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pilot-crm-kenya"]  # no staging left behind


@pytest.mark.parametrize(
    ("name", "country", "locales"),
    [
        ("kenya", "KEN", ("en", "sw")),
        ("peru_pilot", "PER", ("es", "qu", "en")),
        ("viet", "VNM", ("vi", "pt_BR")),
    ],
)
def test_the_package_holds_the_plugin_its_catalogs_readme_and_tests(tmp_path, name, country, locales):
    result = new(name, "--country", country, "--locales", ",".join(locales), "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    root = tmp_path / f"pilot-crm-{name}"
    assert result.stdout.splitlines()[0] == f"wrote {root}"
    package = root / f"pilot_crm_{name}"

    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == f"pilot-crm-{name}"
    assert any(dep.startswith("pilot-crm") for dep in project["project"]["dependencies"])
    assert project["project"]["entry-points"]["pilot_crm.plugins"] == {name: f"pilot_crm_{name}.plugin"}
    assert project["tool"]["pilot-crm"]["api-versions"] == list(SUPPORTED_API_VERSIONS)
    assert "--pilot-crm-backends=sqlite" in (root / "pyproject.toml").read_text(encoding="utf-8")

    # The plugin module imports nothing of Pilot CRM's but its public surface.
    source = (package / "plugin.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert {module for module in imported if module and module.split(".")[0] == "core"} == {"core.plugin_api"}
    prefix = country[:2]
    assert f"API_VERSIONS = ({', '.join(map(str, SUPPORTED_API_VERSIONS))},)" in source
    assert re.search(rf'TopicSpec\("{prefix}-\w+", N_\("[^"]+"\), "national", priority=True\)', source)
    assert f'"{name}_registry_number"' in source

    # The catalog template is what the code marks; each language's catalog translates it when the
    # scaffold knows the language (its base language for a regional variant), else leaves it empty.
    marked = {
        str(m[1]) for m in extract_from_file("python", str(package / "plugin.py"), keywords={"N_": None})
    }
    assert set(catalog(package, None)) == marked and len(marked) == 3
    known = {path.stem for path in (template_root() / "translations").glob("*.po")}
    assert {"en", "es", "fr", "pt", "ar", "ru", "zh", "sw"} <= known
    for locale in locales:
        strings = catalog(package, locale)
        assert set(strings) == marked
        if locale.split("_")[0] in known:
            assert all(strings.values()), (locale, strings)
        else:
            assert not any(strings.values()), (locale, strings)
    assert sorted(
        p.parent.parent.name for p in (package / "locales").glob("*/LC_MESSAGES/messages.po")
    ) == sorted(locales)

    readme = (root / "README.md").read_text(encoding="utf-8")
    for needed in ("pip install", f'plugins = ["{name}"]', "pybabel extract", "--pilot-crm-backends=sqlite"):
        assert needed in readme
    tests = (root / "tests" / "test_plugin.py").read_text(encoding="utf-8")
    assert "def pilot_crm_tenants(" in tests and "from core.plugin_api import" in tests
    # The written Python is clean by the project's lint and format rules, read as a package of its
    # own (Pilot CRM's ``core`` is a third-party import there).
    rules = ["--isolated", "--line-length", "110", "--target-version", "py311"]
    run([sys.executable, "-m", "ruff", "check", *rules, "--select", LINT, "--ignore", "S101", "."], cwd=root)
    run([sys.executable, "-m", "ruff", "format", "--check", *rules, "."], cwd=root)


def test_the_scaffold_knows_its_example_strings_in_every_language_it_ships():
    """Each translation file translates exactly the strings the plugin template marks."""
    template = (template_root() / "package" / "plugin.py.jinja").read_text(encoding="utf-8")
    marked = set(re.findall(r'N_\("([^"]+)"\)', template))
    assert len(marked) == 3
    for path in (template_root() / "translations").glob("*.po"):
        with path.open("rb") as fh:
            strings = {str(m.id): str(m.string) for m in read_po(fh) if m.id}
        assert set(strings) == marked and all(strings.values()), path.name
    with (template_root() / "translations" / "sw.po").open("rb") as fh:
        swahili = {str(m.id): str(m.string) for m in read_po(fh) if m.id}
    assert {msgid: swahili[msgid] for msgid in SWAHILI} == SWAHILI


# --- Installed in a fresh virtualenv -------------------------------------------------------------


def test_a_new_plugin_installs_passes_its_own_tests_and_serves_swahili(app_wheel, tmp_path, request):
    work = tmp_path / "work"
    run(
        [
            PILOT_CRM,
            "plugins",
            "new",
            "kenya",
            "--country",
            "KEN",
            "--locales",
            "en,sw",
            "--output",
            str(work),
        ]
    )
    source = work / "pilot-crm-kenya"
    plugin_wheel = build_wheel(source, tmp_path / "dist")
    venv = fresh_venv(tmp_path / "venv", app_wheel, plugin_wheel)
    python = str(venv / "bin" / "python")
    env = app_environment()
    env.update({k: v for k, v in os.environ.items() if k.startswith("PILOT_CRM_TEST_PG_")})

    # The plugin is found through its entry point, in the venv, not in the folder it was written to.
    found = run(
        [python, "-c", "from core.plugins.manager import load_plugin; print(load_plugin('kenya').__file__)"],
        cwd=tmp_path,
        env=env,
    )
    assert Path(found.strip()).resolve().is_relative_to(venv.resolve()), found

    # Its generated tests pass there, on the backends this run uses (PostgreSQL whenever it is
    # reachable; under CI=true it must be).
    ci = os.environ.get("CI", "").lower() == "true"
    backends = [b for b in chosen_backends(request.config) if b == "sqlite" or ci or postgres_reachable()]
    pytest_args = ["-p", "no:cacheprovider", "-v", f"--pilot-crm-backends={','.join(backends)}"]
    outcome = run([python, "-m", "pytest", *pytest_args, str(source / "tests")], cwd=tmp_path, env=env)
    passed = set(re.findall(r"::(\S+) PASSED", outcome))
    for backend in backends:
        assert f"test_the_national_priority_is_a_topic_in_each_language[{backend}-sw]" in passed, outcome
        assert f"test_the_field_is_on_the_organization_form_in_each_language[{backend}-sw]" in passed
    assert " failed" not in outcome and " skipped" not in outcome, outcome[-2000:]

    # A tenant enabling it, served by the installed app, speaks the plugin's Swahili.
    tenants, data = tmp_path / "tenants", tmp_path / "var"
    tenants.mkdir()
    spec = TenantSpec("kenya", "KEN", "sw", ("sw", "en"), "Africa/Nairobi", ("kenya",))
    (tenants / "kenya.toml").write_text(spec.toml(None), encoding="utf-8")
    pilot_crm = [str(venv / "bin" / "pilot-crm"), "--tenants-dir", str(tenants), "--data-dir", str(data)]
    # plugins check finds nothing wrong, and the tenant's Swahili is the plugin's, fully translated.
    checked = run([*pilot_crm, "plugins", "check"], cwd=tmp_path, env=env)
    assert "kenya: ok" in checked.splitlines() and "kenya sw kenya 100% (3/3)" in checked, checked
    run([*pilot_crm, "migrate"], cwd=tmp_path, env=env)
    email = "observer@kenya.test"
    member = ["--tenant", "kenya", "--email", email]
    run(
        [*pilot_crm, "users", "add", *member, "--role", "observer", "--password-stdin"],
        input="a long passphrase\n",
        cwd=tmp_path,
        env=env,
    )
    token = run([*pilot_crm, "tokens", "create", *member, "--scope", "read"], cwd=tmp_path, env=env).strip()
    port = free_port()
    with serving(
        [*pilot_crm, "serve", "--port", str(port)], port, tmp_path / "serve.log", env, tmp_path
    ) as origin:
        status, _, body = get(f"{origin}/t/kenya/login")
        assert status == 200 and '<html lang="sw"' in body.decode()
        headers = {"Authorization": f"Bearer {token}"}
        _, _, body = get(f"{origin}/t/kenya/api/v1/forms/organization", headers)
        labels = {field["name"]: field["label"] for field in json.loads(body)["fields"]}
        assert labels["kenya_registry_number"] == SWAHILI["National registry number"]
        assert labels["name"] == "Name"  # core's wording: English, core has no Swahili catalog
        _, _, body = get(f"{origin}/t/kenya/api/v1/topics?q=KE-WILDLIFE", headers)
        assert [t["display_label"] for t in json.loads(body)["items"]] == [SWAHILI["Wildlife trafficking"]]
        _, _, body = get(
            f"{origin}/t/kenya/api/v1/topics?q=KE-WILDLIFE", {**headers, "Accept-Language": "en"}
        )
        assert [t["display_label"] for t in json.loads(body)["items"]] == ["Wildlife trafficking"]
