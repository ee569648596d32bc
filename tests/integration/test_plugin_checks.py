"""A broken plugin is found before any tenant uses it: ``pilot-crm plugins check`` names it in one
line and exits 1, and ``migrate``, ``serve`` and ``tenants check`` refuse with that line before
touching any tenant database (each of them on a third of the cases, in turn). Each broken plugin
is a real installed distribution (a ``.dist-info`` with a ``pilot_crm.plugins`` entry point, on
the ``PYTHONPATH`` of the ``pilot-crm`` process), written from one table of cases; a sound one,
written the same way, passes and migrates, so the harness itself is not what refuses."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import pytest

from core.db.postgres import drop_database, split_dsn
from core.hookspecs import hookimpl
from core.plugins.startup import PluginCheckFailed
from core.settings import Settings
from core.tenancy.registry import TenantRegistry
from core.testing.environment import PG_HOST, PG_PORT, PG_USER, TenantSpec
from core.testing.plugins import write_plugin
from core.testing.pytest_plugin import require_backend
from core.topics.specs import TopicSpec
from tests.support import copy_shipped_tenants, free_port

CLI = str(Path(sys.executable).with_name("pilot-crm"))
TIMEOUT = 60

HEADER = """\
from pathlib import Path

from core.plugin_api import (
    Choice, FieldSpec, N_, NavEntry, PluginForm, TopicSpec, hookimpl,
)

API_VERSIONS = (1,)
"""

CATALOG_HEAD = 'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
LOCALE_DIRS = """
@hookimpl
def pilot_crm_locale_dirs():
    return [Path(__file__).parent / "locales"]
"""


def fields(form: str, *specs: str) -> str:
    return f"""
@hookimpl
def pilot_crm_form_fields(form):
    return [{", ".join(specs)}] if form == {form!r} else []
"""


def topics(*specs: str) -> str:
    return f"""
@hookimpl
def pilot_crm_topics():
    return [{", ".join(specs)}]
"""


def forms(*specs: str) -> str:
    return f"""
@hookimpl
def pilot_crm_forms():
    return [{", ".join(specs)}]
"""


@dataclass(frozen=True)
class Case:
    description: str
    source: str  # the plugin module, after HEADER
    expected: str  # a fragment of the one error line
    name: str = "kenya"
    files: dict[str, str] = field(default_factory=dict)  # more files of the plugin's package


# A plugin form whose ``network`` field refers to the form ``target``.
MEMBER_FORM = (
    'PluginForm("ke_member", (FieldSpec("network", "reference", N_("Network"), references="{target}"),))'
)

SOUND = Case(
    "a sound plugin",
    fields(
        "organization", 'FieldSpec("ke_county", "choice", N_("County"), choices=(Choice("nbo", "Nairobi"),))'
    )
    + topics('TopicSpec("KE-WILDLIFE", N_("Wildlife trafficking"), priority=True)')
    + LOCALE_DIRS
    # Forms of its own: their fields are their tables' columns, so ``name`` is fine there, and one
    # may refer to the other (a membership to its network).
    + forms(
        'PluginForm("ke_network", (FieldSpec("name", "text", N_("Name")),))',
        MEMBER_FORM.format(target="ke_network"),
    ),
    "",
    files={
        "locales/en/LC_MESSAGES/messages.po": CATALOG_HEAD.format(lang="en") + 'msgid "County"\nmsgstr ""\n'
    },
)

CASES = [
    Case("fails to import", "import pilot_crm_no_such_module\n", "cannot be imported: ModuleNotFoundError"),
    Case(
        "raises on import",
        "raise RuntimeError('no settings')\n",
        "cannot be imported: RuntimeError: no settings",
    ),
    Case(
        "hook with a wrong signature",
        "@hookimpl\ndef pilot_crm_form_fields(forms):\n    return []\n",
        "hook pilot_crm_form_fields has an argument 'forms' the hook does not take",
    ),
    Case(
        "misspelled hook",
        "@hookimpl\ndef pilot_crm_topic():\n    return []\n",
        "pilot_crm_topic is marked @hookimpl but is not a hook (did you mean pilot_crm_topics?)",
    ),
    Case(
        "misspelled hook without the marker",
        "def pilot_crm_locale_dir():\n    return []\n",
        "function pilot_crm_locale_dir is not a hook (did you mean pilot_crm_locale_dirs?)",
    ),
    Case(
        "hook without the marker",
        "def pilot_crm_topics():\n    return []\n",
        "function pilot_crm_topics is not marked with @hookimpl",
    ),
    Case(
        "field colliding with a core field",
        fields("organization", 'FieldSpec("name", "text", N_("Name"))'),
        "field 'name' on form 'organization' collides with core's field 'name'",
    ),
    Case(
        "field colliding with a record key",
        fields("contact", 'FieldSpec("id", "text", N_("National ID"))'),
        "field 'id' on form 'contact' collides with the record key 'id'",
    ),
    Case(
        "field colliding with a key a service adds",
        fields("action", 'FieldSpec("confirmed_by", "text", N_("Confirmed by"))'),
        "field 'confirmed_by' on form 'action' collides with the record key 'confirmed_by'",
    ),
    Case(
        "field name that is not an identifier",
        fields("meeting", 'FieldSpec("ke-venue", "text", N_("Venue"))'),
        "field 'ke-venue' on form 'meeting' is not a name",
    ),
    Case(
        "field of an unknown kind",
        fields("organization", 'FieldSpec("ke_county", "txt", N_("County"))'),
        "hook pilot_crm_form_fields (form='organization') raised ValueError: unknown field kind 'txt'",
    ),
    Case(
        "choice field without choices",
        fields("organization", 'FieldSpec("ke_county", "choice", N_("County"))'),
        "field 'ke_county' on form 'organization' is a choice field without choices",
    ),
    Case(
        "unsupported API version",
        "API_VERSIONS = (2,)\n",
        "plugin 'kenya': supports API versions 2, this core serves 1",
    ),
    Case("no API version declared", "del API_VERSIONS\n", "plugin 'kenya': declares no API_VERSIONS"),
    Case(
        "malformed catalog",
        LOCALE_DIRS,
        "locales/es/LC_MESSAGES/messages.po:6: Unknown or misformatted keyword",
        files={
            "locales/es/LC_MESSAGES/messages.po": CATALOG_HEAD.format(lang="es")
            + "this is not a catalog line\n"
        },
    ),
    Case(
        "catalog under a folder that is no locale",
        LOCALE_DIRS,
        "'klingon' is not a locale Babel knows",
        files={"locales/klingon/LC_MESSAGES/messages.po": CATALOG_HEAD.format(lang="en")},
    ),
    Case(
        "invalid topic code",
        topics('TopicSpec("KE WILDLIFE", N_("Wildlife trafficking"))'),
        "topic 'KE WILDLIFE': a code is letters, digits and hyphens",
    ),
    Case(
        "invalid topic category",
        topics('TopicSpec("KE-WILDLIFE", N_("Wildlife trafficking"), "regional")'),
        "topic 'KE-WILDLIFE': category 'regional' is not one of",
    ),
    Case(
        "topic code core declares",
        topics('TopicSpec("TIP", N_("Trafficking in persons"))'),
        "topic 'TIP': core already declares this code",
    ),
    Case(
        "priority refining a code nobody declares",
        topics('TopicSpec("KE-WILDLIFE", N_("Wildlife trafficking"), priority=True, refines="POACHING")'),
        "topic 'KE-WILDLIFE': refines 'POACHING', which is not a code of the shared taxonomy",
    ),
    Case(
        "priority refining its own plugin's topic",
        topics(
            'TopicSpec("KE-WILDLIFE", N_("Wildlife trafficking"))',
            'TopicSpec("KE-IVORY", N_("Ivory trafficking"), priority=True, refines="KE-WILDLIFE")',
        ),
        "topic 'KE-IVORY': refines 'KE-WILDLIFE', a topic of plugin 'kenya': only a topic of the shared "
        "taxonomy may be refined",
    ),
    Case(
        "topic refining that is no priority",
        topics('TopicSpec("KE-WILDLIFE", N_("Wildlife trafficking"), refines="ENVIRONMENTAL")'),
        "topic 'KE-WILDLIFE': refines 'ENVIRONMENTAL', but only a national priority (priority=True) may "
        "refine a topic",
    ),
    Case(
        "plugin form named as a core form",
        forms('PluginForm("contact", ())'),
        "form 'contact' collides with core's form of that name",
    ),
    Case(
        "plugin form with a field named like a record key",
        forms('PluginForm("ke_network", (FieldSpec("version", "text", N_("Version")),))'),
        "field 'version' on form 'ke_network' collides with the record key 'version'",
    ),
    Case(
        "plugin form referring to a form nobody declares",
        forms(MEMBER_FORM.format(target="ke_nowhere")),
        "field 'network' on form 'ke_member' references 'ke_nowhere', which is not a form",
    ),
    Case(
        "menu entry of the wrong type",
        "@hookimpl\ndef pilot_crm_navigation():\n    return [('Networks', '/networks')]\n",
        "hook pilot_crm_navigation returned a tuple, not a NavEntry",
    ),
    Case(
        "plugin named like a page of core",
        "",
        "plugin 'contacts': its name is a path core uses under a tenant",
        name="contacts",
    ),
]


def install(site: Path, case: Case) -> None:
    """Write ``case``'s plugin into ``site`` as an installed distribution (module and ``.dist-info``)."""
    source = HEADER + textwrap.dedent(case.source)
    write_plugin(site, case.name, {"plugin.py": source, **case.files}, version="0.3.0")


def workspace(root: Path, *cases: Case, database_url: str | None = None) -> dict[str, str]:
    """A tenant ``ke`` enabling the plugins of ``cases``, installed; the environment of a
    ``pilot-crm`` process that has them."""
    site = root / "site"
    for case in cases:
        install(site, case)
    tenants = root / "tenants"
    tenants.mkdir()
    spec = TenantSpec(
        "ke",
        country="KEN",
        default_locale="en",
        locales=("en",),
        timezone="Africa/Nairobi",
        plugins=tuple(case.name for case in cases),
    )
    (tenants / "ke.toml").write_text(spec.toml(database_url), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site), "PILOT_CRM_TENANTS_DIR": str(tenants)}
    env.pop("PILOT_CRM_DATA_DIR", None)
    return env


def commands(root: Path) -> dict[str, list[str]]:
    """Each command under test, with a data directory of its own."""
    return {
        "plugins check": [CLI, "--data-dir", str(root / "check"), "plugins", "check"],
        "migrate": [CLI, "--data-dir", str(root / "migrate"), "migrate"],
        "tenants check": [CLI, "--data-dir", str(root / "tenants-check"), "tenants", "check"],
        "serve": [CLI, "--data-dir", str(root / "serve"), "serve", "--port", str(free_port())],
    }


def run_all(cmds: dict[str, list[str]], env: dict[str, str]) -> dict[str, subprocess.CompletedProcess]:
    """Run the commands side by side (each is its own process) and wait for all of them."""
    running = {
        name: subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, cmd in cmds.items()
    }
    done = {}
    for name, process in running.items():
        try:
            out, err = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done


# Each case is refused by ``plugins check`` and by one of the commands that start from the tenants,
# in turn, so each of those refuses many kinds of breakage. They all refuse through one check
# (``core.plugins.startup``); a process each for every command and every case cost minutes.
STARTING = ("migrate", "serve", "tenants check")


@pytest.mark.parametrize("case", CASES, ids=[c.description for c in CASES])
def test_a_broken_plugin_is_named_in_one_line_and_stops_migrate_and_serve(tmp_path, case):
    env = workspace(tmp_path, case)
    starting = STARTING[CASES.index(case) % len(STARTING)]
    chosen = {name: cmd for name, cmd in commands(tmp_path).items() if name in ("plugins check", starting)}
    for command, result in run_all(chosen, env).items():
        lines = result.stderr.splitlines()
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert len(lines) == 1, (command, lines)
        assert lines[0].startswith(f"error: plugin '{case.name}': "), (command, lines)
        assert case.expected in lines[0], (command, lines)
        assert "Traceback" not in result.stdout + result.stderr
    for command in ("migrate", "serve", "tenants-check"):
        assert not (tmp_path / command / "ke.sqlite3").exists(), f"{command} touched the tenant database"


def test_a_sound_external_plugin_passes_and_migrates(tmp_path):
    env = workspace(tmp_path, SOUND)
    cmds = commands(tmp_path)
    check = run_all({"check": cmds["plugins check"]}, env)["check"]
    assert check.returncode == 0, check.stderr
    assert "kenya: ok" in check.stdout.splitlines()
    assert "ke en kenya 100% (1/1)" in check.stdout.splitlines()
    migrated = run_all({"migrate": cmds["migrate"]}, env)["migrate"]
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "migrate" / "ke.sqlite3").exists()
    listed = subprocess.run([CLI, "plugins", "list"], env=env, capture_output=True, text=True, check=True)
    assert "kenya\t0.3.0\t1\ttopics,form_fields,locale_dirs,forms\tke" in listed.stdout.splitlines()


def test_the_app_refuses_a_broken_plugin_with_the_same_line(tmp_path):
    """uvicorn's workers build the app with ``create_app()``: it raises the same one line."""
    case = next(c for c in CASES if c.description == "misspelled hook")
    env = workspace(tmp_path, case)
    env["PILOT_CRM_DATA_DIR"] = str(tmp_path / "var")
    code = "from core.web.app import create_app\ncreate_app()\n"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("core.plugins.checks.PluginCheckFailed: plugin 'kenya': ")
    assert case.expected in last
    assert not (tmp_path / "var" / "ke.sqlite3").exists()


class StandIn:
    """A throwaway plugin registered in place of an installed one (``TenantRuntime.plugin_overrides``)."""

    def __init__(self, *specs: TopicSpec) -> None:
        self.specs = list(specs)

    @hookimpl
    def pilot_crm_topics(self) -> list[TopicSpec]:
        return self.specs


def test_create_app_checks_the_plugins_tests_stand_in(tmp_path):
    """A stand-in is checked like the plugin it replaces (less the API version it cannot declare)."""
    from core.web.app import create_app

    copy_shipped_tenants(tmp_path / "tenants", "sqlite")
    settings = Settings.from_env(str(tmp_path / "var"), str(tmp_path / "tenants"))

    def app_with(stand_in: StandIn):
        registry = TenantRegistry.load(settings)
        tenant = registry.get("mex")
        assert tenant is not None
        tenant.plugin_overrides["mexico"] = stand_in
        return create_app(settings, registry)

    assert app_with(StandIn(TopicSpec("MX-NEW", "New priority"))) is not None
    with pytest.raises(PluginCheckFailed) as refused:
        app_with(StandIn(TopicSpec("mx new", "New priority")))
    assert str(refused.value).startswith("plugin 'mexico': topic 'mx new': a code is letters")


def test_plugins_list_and_check_on_the_repository_plugins(tmp_path):
    """The in-repo plugins, with the shipped tenants: listed with the distribution's version, the API
    they support and the tenants enabling them; checked clean, with coverage per tenant and locale."""
    copy_shipped_tenants(tmp_path / "tenants", "sqlite")
    env = {**os.environ, "PILOT_CRM_TENANTS_DIR": str(tmp_path / "tenants")}
    listed = subprocess.run([CLI, "plugins", "list"], env=env, capture_output=True, text=True, check=True)
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert rows[0] == ["name", "version", "api", "hooks", "tenants"]
    shipped = {row[0]: row[1:] for row in rows[1:]}
    for plugin, tenant in (
        ("mexico", "mex"),
        ("angola", "ago"),
        ("demo_ar", "demo-ar"),
        ("networks", "ago,demo-ar,global,mex"),
        ("engagement", "demo-ar,global,mex"),
    ):
        release, api, hooks, tenants = shipped[plugin]
        assert (release, api, tenants) == (version("pilot-crm"), "1", tenant)
        assert "locale_dirs" in hooks.split(",")
        if plugin not in ("networks", "engagement"):
            assert {"topics", "form_fields", "validate"} <= set(hooks.split(","))

    checked = subprocess.run([CLI, "plugins", "check"], env=env, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""
    out = checked.stdout.splitlines()
    assert {"mexico: ok", "angola: ok", "demo_ar: ok", "networks: ok", "engagement: ok"} <= set(out)
    for slug, locale, plugin in (
        ("mex", "es", "mexico"),
        ("ago", "pt", "angola"),
        ("demo-ar", "ar", "demo_ar"),
    ):
        assert any(line.startswith(f"{slug} {locale} core 100% (") for line in out), out
        assert any(line.startswith(f"{slug} {locale} {plugin} 100% (") for line in out), out


def test_start_up_names_the_first_problem_and_counts_the_others(tmp_path):
    two = Case(
        "two problems", "API_VERSIONS = (7,)\n" + fields("contact", 'FieldSpec("id", "text", N_("ID"))'), ""
    )
    env = workspace(tmp_path, two)
    cmds = commands(tmp_path)
    done = run_all({"check": cmds["plugins check"], "migrate": cmds["migrate"]}, env)
    assert done["check"].returncode == 1
    assert [line.split(": ", 2)[2] for line in done["check"].stderr.splitlines()] == [
        "supports API versions 7, this core serves 1",
        "field 'id' on form 'contact' collides with the record key 'id'",
    ]
    assert done["migrate"].returncode == 1
    assert done["migrate"].stderr.splitlines() == [
        "error: plugin 'kenya': supports API versions 7, this core serves 1 "
        "(and 1 more: run pilot-crm plugins check)"
    ]
    assert not (tmp_path / "migrate" / "ke.sqlite3").exists()


def test_plugins_that_clash_in_one_tenant_stop_it(tmp_path):
    """Each plugin is sound alone; enabled together they add the same field and the same topic."""
    body = fields("organization", 'FieldSpec("ea_region", "text", N_("Region"))') + topics(
        'TopicSpec("EA-WILDLIFE", N_("Wildlife trafficking"))'
    )
    env = workspace(tmp_path, Case("kenya", body, "", name="kenya"), Case("uganda", body, "", name="uganda"))
    cmds = commands(tmp_path)
    done = run_all(cmds, env)
    assert {"kenya: ok", "uganda: ok"} <= set(done["plugins check"].stdout.splitlines())
    assert done["plugins check"].stderr.splitlines() == [
        "error: tenant 'ke': plugins 'kenya' and 'uganda' both add field 'ea_region' to form 'organization'",
        "error: tenant 'ke': plugins 'kenya' and 'uganda' both declare topic 'EA-WILDLIFE'",
    ]
    for command in ("plugins check", "migrate", "serve"):
        assert done[command].returncode == 1, command
    for command in ("migrate", "serve", "tenants check"):
        assert done[command].stderr.splitlines() == [
            "error: tenant 'ke': plugins 'kenya' and 'uganda' both add field 'ea_region' to form "
            "'organization' (and 1 more: run pilot-crm plugins check)"
        ]
        assert not (tmp_path / command / "ke.sqlite3").exists()


def test_a_priority_refines_only_a_topic_of_the_shared_taxonomy():
    """Refining another plugin's topic is refused, naming both plugins; refining a shared topic
    passes."""
    from core.plugins.startup import check_installed

    wildlife = StandIn(TopicSpec("KE-WILDLIFE", "Wildlife", priority=True, refines="ENVIRONMENTAL"))
    ivory = StandIn(TopicSpec("UG-IVORY", "Ivory trafficking", priority=True, refines="KE-WILDLIFE"))
    checked = check_installed(["kenya", "uganda"], overrides={"kenya": wildlife, "uganda": ivory})
    assert checked.problems == [
        "plugin 'uganda': topic 'UG-IVORY': refines 'KE-WILDLIFE', a topic of plugin 'kenya': only a "
        "topic of the shared taxonomy may be refined"
    ]


def test_a_broken_plugin_leaves_a_postgresql_tenant_uncreated(tmp_path):
    """On PostgreSQL ``migrate`` creates the tenant's database: refused first, there is none."""
    require_backend("postgres")
    name = f"pilot_crm_test_checks_{secrets.token_hex(4)}"
    url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    case = next(c for c in CASES if c.description == "field colliding with a record key")
    env = workspace(tmp_path, case, database_url=url)
    cmds = commands(tmp_path)
    try:
        done = run_all({"migrate": cmds["migrate"], "serve": cmds["serve"]}, env)
        for result in done.values():
            assert result.returncode == 1
            assert result.stderr.splitlines() == [f"error: plugin 'kenya': {case.expected}"]
        assert not asyncio.run(database_exists(url))
    finally:
        asyncio.run(drop_database(url))


async def database_exists(url: str) -> bool:
    import asyncpg

    admin, name = split_dsn(url)
    conn = await asyncpg.connect(admin)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


def test_plugins_list_shows_a_plugin_that_cannot_be_imported(tmp_path):
    env = workspace(tmp_path, CASES[0])
    listed = subprocess.run([CLI, "plugins", "list"], env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if line.startswith("kenya\t"))
    assert row.split("\t") == [
        "kenya",
        "0.3.0",
        "-",
        "cannot be imported: ModuleNotFoundError: No module named 'pilot_crm_no_such_module'",
        "ke",
    ]
