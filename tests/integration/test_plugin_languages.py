"""Plugins bring languages: a tenant may offer a language core has no catalog for when one of its
enabled plugins ships one. Its pages then speak the plugin's wording in that language and core's in
English (gettext's fallback), and nothing on the way (pages, the API, formatting, the language
switcher, mail) stumbles on it. A tenant offering a language nobody ships a catalog for is refused
at load, naming the file and the key."""

from __future__ import annotations

import dataclasses
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from babel.dates import get_month_names
from click.testing import CliRunner
from litestar.testing import TestClient

from core.cli.main import cli
from core.i18n.catalogs import core_locales
from core.plugin_api import TenantSpec, sign_in
from core.plugins.default import CORE_TOPICS
from core.plugins.manager import available_plugins
from core.settings import Settings
from core.tenancy.declaration import TenantConfigError
from core.tenancy.registry import TenantRegistry
from core.testing.mail import MailSink, body_text
from core.testing.plugins import installed_plugin, write_plugin
from core.testing.surface import api_operations, page_operations

PLUGIN = "swahili_strings"
TOPIC = ("KE-WILDLIFE", "Wildlife trafficking", "Biashara haramu ya wanyamapori")
FIELD = ("swahili_strings_county", "County", "Kaunti")

PLUGIN_SOURCE = f'''
from pathlib import Path

from core.plugin_api import N_, FieldSpec, TopicSpec, hookimpl

API_VERSIONS = (1,)


@hookimpl
def pilot_crm_topics():
    return [TopicSpec("{TOPIC[0]}", N_("{TOPIC[1]}"), "national", priority=True)]


@hookimpl
def pilot_crm_form_fields(form):
    return [FieldSpec("{FIELD[0]}", "text", N_("{FIELD[1]}"))] if form == "organization" else []


@hookimpl
def pilot_crm_locale_dirs():
    return [Path(__file__).parent / "locales"]
'''

SWAHILI_CATALOG = f'''msgid ""
msgstr ""
"Language: sw\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "{TOPIC[1]}"
msgstr "{TOPIC[2]}"

msgid "{FIELD[1]}"
msgstr "{FIELD[2]}"
'''

KENYA = TenantSpec(
    "kenya",
    country="KEN",
    default_locale="sw",
    locales=("sw", "en"),
    timezone="Africa/Nairobi",
    plugins=(PLUGIN,),
    name="Kenya — Voluntary Pilot Initiative",
)


@pytest.fixture(scope="module")
def swahili_plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A plugin, installed for this module only, that ships nothing but a Swahili catalog."""
    files = {"plugin.py": PLUGIN_SOURCE, "locales/sw/LC_MESSAGES/messages.po": SWAHILI_CATALOG}
    with installed_plugin(tmp_path_factory.mktemp("swahili-plugin"), PLUGIN, files) as root:
        yield root


@pytest.fixture(scope="module")
def pilot_crm_tenants(swahili_plugin: Path) -> list[TenantSpec]:
    return [KENYA]


@pytest.fixture(scope="module")
def client(env, smtp_sink: MailSink) -> Iterator[TestClient]:
    """The app serving ``env``, sending its mail to the module's SMTP sink."""
    from core.web.app import create_app

    settings = dataclasses.replace(
        env.registry.settings, mail=smtp_sink.settings, base_url="http://kenya.test"
    )
    with TestClient(create_app(settings, env.registry)) as test_client:
        yield test_client


def test_swahili_is_not_one_of_cores_languages():
    """What the rest of this module proves would prove nothing for a language core speaks."""
    assert "sw" not in core_locales() and {"en", "es", "fr", "pt", "ar"} <= core_locales()


def test_pages_in_swahili_show_the_plugins_wording_and_cores_in_english(client, env):
    page = sign_in(client, env, "kenya", "observer").get("/topics")
    assert page.status_code == 200
    text = page.text
    assert '<html lang="sw" dir="ltr"' in text
    assert TOPIC[2] in text and TOPIC[1] not in text
    english = [escape(spec.label, quote=False) for spec in CORE_TOPICS]
    assert [label for label in english if label not in text] == []
    # The language switcher offers both languages, each in its own name.
    assert "Kiswahili" in text and "English" in text


def test_the_same_member_reading_in_english_gets_the_plugins_english_wording(client, env):
    text = sign_in(client, env, "kenya", "observer", locale="en").get("/topics").text
    assert '<html lang="en" dir="ltr"' in text
    assert TOPIC[1] in text and TOPIC[2] not in text


@pytest.mark.parametrize(
    ("locale", "topic", "field"), [("sw", TOPIC[2], FIELD[2]), ("en", TOPIC[1], FIELD[1])]
)
def test_the_api_answers_in_the_asked_language(client, env, locale, topic, field):
    headers = env.headers("kenya", "observer", locale)
    form = client.get("/t/kenya/api/v1/forms/organization", headers=headers).json()
    assert form["locale"] == locale
    labels = {item["name"]: item["label"] for item in form["fields"]}
    assert labels[FIELD[0]] == field
    assert labels["name"] == "Name"  # core's own wording: English, in both languages
    topics = client.get("/t/kenya/api/v1/topics", params={"q": TOPIC[0]}, headers=headers).json()["items"]
    assert [item["display_label"] for item in topics if item["code"] == TOPIC[0]] == [topic]


def test_every_page_answers_in_swahili(client, env):
    """Every page of the tenant without a record in its path, and an organization's pages with the
    plugin's field, render in Swahili (downloads, such as the audit export, answer too)."""
    created = client.post(
        "/t/kenya/api/v1/organizations",
        json={
            "name": f"Wizara {secrets.token_hex(3)}",
            "sector": "prosecution_judiciary",
            FIELD[0]: "Mombasa",
        },
        headers=env.headers("kenya", "coordinator", "sw"),
    )
    assert created.status_code == 201, created.text
    record = created.json()["id"]
    # Every installed plugin's pages are mounted; the ones kenya does not enable answer 404 there.
    others = available_plugins() - set(env.registry.get("kenya").declaration.plugins)
    pages = [
        op.path.replace("{tenant_slug}", "kenya").replace("{record_id}", str(record))
        for op in page_operations(client.app, api_operations(client))
        if op.method == "GET"
        and set(op.params) <= {"record_id"}
        and (not op.params or op.resource == "organizations")
        and not set(op.path.split("/")[3:4]) & others  # /t/{tenant_slug}/<plugin>/...
    ]
    assert len(pages) >= 10 and f"/t/kenya/organizations/{record}" in pages
    coordinator = sign_in(client, env, "kenya", "coordinator")
    failed = {}
    for path in pages:
        response = coordinator.get(path)
        # A page is a whole document; the pickers' options are fragments put into one (no <html>).
        html = response.headers.get("content-type", "").startswith("text/html") and "<html" in response.text
        if response.status_code != 200 or (html and '<html lang="sw"' not in response.text):
            failed[path] = response.status_code
    assert failed == {}
    detail = coordinator.get(f"/t/kenya/organizations/{record}").text
    assert FIELD[2] in detail and "Mombasa" in detail


def test_an_invitation_mailed_in_swahili(client, env, mailbox):
    coordinator = sign_in(client, env, "kenya", "coordinator")
    coordinator.get("/members/invite")
    email = f"mwanachama-{secrets.token_hex(3)}@example.org"
    response = coordinator.post(
        "/members/invite",
        {"email": email, "display_name": "Amani", "role": "observer", "locale": "sw"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    (mail,) = mailbox.wait_for(1)
    assert mail["Content-Language"] == "sw"
    assert mail["Subject"] == f"Invitation to {KENYA.name}"  # core's wording, in English
    text = body_text(mail)
    # The expiry is written the Swahili way: a Swahili month name.
    assert any(month in text for month in get_month_names("wide", locale="sw").values()), text
    html = mail.get_body(preferencelist=("html",))
    assert html is not None and 'lang="sw" dir="ltr"' in html.get_content()


# --- Refused at load -----------------------------------------------------------------------------

# (default locale, locales, plugins) → the key named, or None when the declaration is accepted.
CASES = [
    (("sw", ("sw", "en"), ()), "default_locale"),
    (("en", ("en", "sw"), ("mexico",)), "locales"),
    (("es", ("es", "de"), ("mexico",)), "locales"),
    (("sw", ("sw", "en"), (PLUGIN,)), None),
    (("en", ("en", "sw"), ("mexico", PLUGIN)), None),
    (("fr", ("fr", "en"), ()), None),
]


@pytest.mark.parametrize(("declared", "key"), CASES)
def test_a_language_without_a_catalog_is_refused_at_load(swahili_plugin, tmp_path, declared, key):
    default, locales, plugins = declared
    spec = TenantSpec("tst", country="KEN", default_locale=default, locales=locales, plugins=plugins)
    (tmp_path / "tst.toml").write_text(spec.toml(None), encoding="utf-8")
    settings = Settings.from_env(tmp_path / "var", tmp_path)
    if key is None:
        assert TenantRegistry.load(settings).get("tst").declaration.locales == locales
        return
    with pytest.raises(TenantConfigError) as info:
        TenantRegistry.load(settings)
    assert info.value.key == key and str(tmp_path / "tst.toml") in str(info.value)
    assert "no catalog" in info.value.reason
    result = CliRunner().invoke(
        cli, ["--tenants-dir", str(tmp_path), "--data-dir", str(tmp_path / "v"), "tenants", "list"]
    )
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert f"key '{key}'" in line and "tst.toml" in line


def test_a_broken_plugin_offering_a_language_is_named_by_the_plugin_checks(tmp_path):
    """The catalog check imports a tenant's plugins only for a language core lacks; a plugin that
    cannot be imported is left to the start-up gate, which names it in its own line."""
    site = write_plugin(tmp_path / "site", "broken_sw", {"plugin.py": "raise RuntimeError('no settings')\n"})
    tenants = tmp_path / "tenants"
    tenants.mkdir()
    spec = TenantSpec("tst", country="KEN", default_locale="sw", locales=("sw", "en"), plugins=("broken_sw",))
    (tenants / "tst.toml").write_text(spec.toml(None), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site)}
    command = [str(Path(sys.executable).with_name("pilot-crm")), "--tenants-dir", str(tenants)]
    result = subprocess.run(
        [*command, "--data-dir", str(tmp_path / "var"), "migrate"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: plugin 'broken_sw': cannot be imported: RuntimeError: no settings"), line
    assert not (tmp_path / "var" / "tst.sqlite3").exists()
