"""The plugin's catalogs (checked by the test kit's ``PluginCatalogs``): ``messages.pot`` holds
exactly the strings of its code and templates (as ``make messages`` extracts them), every one is
translated in Spanish, Portuguese, French, Arabic, Chinese and Russian with its placeholders, French
follows its typography, and a msgid core also has keeps core's wording (a plugin's catalog wins in
its tenants, so a different wording would change core's pages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.plugin_api import PluginCatalogs
from plugins.engagement.tests.support import OFF

CATALOGS = PluginCatalogs(Path(__file__).resolve().parents[1])
TRANSLATED = ("es", "pt", "fr", "ar", "zh", "ru")


def test_the_template_holds_exactly_the_strings_of_the_code():
    CATALOGS.check_template()
    assert len(CATALOGS.template()) > 40


@pytest.mark.parametrize("locale", [*TRANSLATED, "en"])
def test_every_locale_has_every_string(locale):
    CATALOGS.check_complete(locale)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_survive_translation(locale):
    CATALOGS.check_placeholders(locale)


def test_french_uses_its_apostrophe_and_non_breaking_spaces():
    CATALOGS.check_french_typography()


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_msgid_core_has_keeps_cores_wording(env, locale):
    core = env.registry.get(OFF).translations(locale)  # a tenant without the plugin: core's alone
    assert any(core.gettext(m) != m for m in CATALOGS.catalog(locale))  # "Title", "Starts", "Status"…
    CATALOGS.check_core_wording(core, locale)
