"""Tenant declarations: the shipped ones load; a bad one stops start-up naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli.main import cli
from core.settings import Settings
from core.tenancy.declaration import TenantConfigError
from core.tenancy.registry import TenantRegistry
from tests.support import REPO_ROOT

GOOD = """slug = "tst"
name = "Test"
country = "MEX"
default_locale = "es"
locales = ["es", "en"]
timezone = "America/Mexico_City"
plugins = ["mexico"]
"""


def test_shipped_tenants_load(tmp_path):
    registry = TenantRegistry.load(Settings.from_env(tmp_path, REPO_ROOT / "tenants"))
    assert sorted(registry.slugs()) == ["ago", "demo-ar", "global", "mex"]
    mex, ago, demo = registry.get("mex"), registry.get("ago"), registry.get("demo-ar")
    team = registry.get("global")
    assert team.declaration.demo and team.declaration.locales == ("en", "fr", "es", "zh", "ru")
    assert (mex.declaration.default_locale, mex.declaration.country) == ("es", "MEX")
    assert (ago.declaration.default_locale, ago.declaration.country) == ("pt", "AGO")
    assert demo.declaration.default_locale == "ar" and demo.declaration.demo
    assert mex.declaration.database_url == f"sqlite:///{tmp_path}/mex.sqlite3"


@pytest.mark.parametrize(
    ("replace", "key"),
    [
        (('country = "MEX"', 'country = "XXX"'), "country"),
        (('default_locale = "es"', 'default_locale = "xx"'), "default_locale"),
        (('locales = ["es", "en"]', 'locales = ["es", "en", "x-klingon"]'), "locales"),
        (('locales = ["es", "en"]', 'locales = ["en"]'), "locales"),
        (('timezone = "America/Mexico_City"', 'timezone = "Mars/Olympus"'), "timezone"),
        (('plugins = ["mexico"]', 'plugins = ["atlantis"]'), "plugins"),
        (('slug = "tst"', 'slug = "other"'), "slug"),
        (('name = "Test"\n', ""), "name"),
        (('plugins = ["mexico"]', 'plugins = "mexico"'), "plugins"),
        (("", 'colour = "blue"\n'), "colour"),
        (("", 'database_url = "mysql://x"\n'), "database_url"),
        (("", "duplicates = 3\n"), "duplicates"),
        (("", "[duplicates]\nemail = -1\n"), "duplicates.email"),
        (("", '[duplicates]\nphone = "10"\n'), "duplicates.phone"),
        (("", "[duplicates]\nname = true\n"), "duplicates.name"),
        (("", "[duplicates]\nthreshold = 0\n"), "duplicates.threshold"),
        (("", "[duplicates]\nbirthday = 5\n"), "duplicates.birthday"),
        (("", 'listed = "no"\n'), "listed"),
        (("", 'names = "Prueba"\n'), "names"),
        (("", '[names]\nx-klingon = "Test"\n'), "names.x-klingon"),
        (("", '[names]\nen = ""\n'), "names.en"),
        (("", "[names]\nen = 3\n"), "names.en"),
        (("", 'confirmations = "organisation_members"\n'), "confirmations"),
        (("", "confirmations = true\n"), "confirmations"),
    ],
)
def test_bad_declaration_names_file_and_key(tmp_path, replace, key):
    old, new = replace
    text = GOOD.replace(old, new) if old else GOOD + new
    (tmp_path / "tst.toml").write_text(text, encoding="utf-8")
    with pytest.raises(TenantConfigError) as info:
        TenantRegistry.load(Settings.from_env(tmp_path / "var", tmp_path))
    assert info.value.key == key
    assert str(tmp_path / "tst.toml") in str(info.value)


def test_the_name_follows_the_readers_locale(tmp_path):
    """``[names]`` gives the name per locale (a region falls back to its language); ``name`` is the
    default locale's and the fallback, so a declaration without ``[names]`` reads as before."""
    text = GOOD.replace('name = "Test"', 'name = "Prueba"') + '[names]\nen = "Test"\nfr = "Essai"\n'
    (tmp_path / "tst.toml").write_text(text, encoding="utf-8")
    declaration = TenantRegistry.load(Settings.from_env(tmp_path / "var", tmp_path)).get("tst").declaration
    assert [declaration.name_in(code) for code in ("es", "en", "en-GB", "fr", "ar")] == [
        "Prueba",
        "Test",
        "Test",
        "Essai",
        "Prueba",
    ]
    assert declaration.localized("en").name == "Test" and declaration.localized("es") is declaration


def test_no_shipped_tenant_shows_a_name_in_another_language(tmp_path):
    """Every shipped tenant names itself in each of its languages, and no name mixes scripts of two
    languages (the bilingual "عرض توضيحي — Demonstration" the Arabic demo once had in French)."""
    registry = TenantRegistry.load(Settings.from_env(tmp_path, REPO_ROOT / "tenants"))
    for slug in registry.slugs():
        declaration = registry.get(slug).declaration
        given = {declaration.default_locale, *dict(declaration.names)}
        assert set(declaration.locales) <= given, (slug, set(declaration.locales) - given)
        for locale in declaration.locales:
            name = declaration.name_in(locale)
            latin = any("a" <= c.lower() <= "z" for c in name)
            arabic = any("\u0600" <= c <= "\u06ff" for c in name)
            assert not (latin and arabic), (slug, locale, name)
        names = {declaration.name_in(locale) for locale in declaration.locales}
        assert len(names) == len(declaration.locales), (slug, names)


def test_cli_stops_with_one_line_naming_file_and_key(tmp_path):
    (tmp_path / "tst.toml").write_text(GOOD.replace("America/Mexico_City", "Nowhere/Land"), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--tenants-dir", str(tmp_path), "--data-dir", str(tmp_path / "v"), "tenants", "list"]
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "tst.toml" in lines[0] and "timezone" in lines[0]


def test_syntax_error_is_reported_with_the_file(tmp_path):
    (tmp_path / "tst.toml").write_text("slug = ", encoding="utf-8")
    with pytest.raises(TenantConfigError) as info:
        TenantRegistry.load(Settings.from_env(tmp_path / "var", tmp_path))
    assert Path(info.value.path).name == "tst.toml"


def test_default_tenants_dir_is_the_working_directorys(tmp_path, monkeypatch):
    """Without a flag or the environment, ``./tenants`` of the working directory is used, wherever
    the app is installed."""
    monkeypatch.delenv("PILOT_CRM_TENANTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tenants").mkdir()
    (tmp_path / "tenants" / "tst.toml").write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["tenants", "list"])
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[0] for line in result.output.splitlines()] == ["tst"]


def test_missing_default_tenants_dir_is_named(tmp_path, monkeypatch):
    """From a folder without ``tenants/``: one line naming the directory looked for, and how to give
    another."""
    monkeypatch.delenv("PILOT_CRM_TENANTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["tenants", "list"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'tenants'}: no such tenants directory "
        "(give --tenants-dir or set PILOT_CRM_TENANTS_DIR)"
    ]


def test_duplicate_rules_default_to_civicrm_s_and_are_set_per_tenant(tmp_path):
    (tmp_path / "tst.toml").write_text(GOOD + "[duplicates]\nname = 0\nphone = 4\nthreshold = 8\n")
    rules = (
        TenantRegistry.load(Settings.from_env(tmp_path / "var", tmp_path)).get("tst").declaration.duplicates
    )
    assert (rules.threshold, rules.weights["name"], rules.weights["phone"], rules.weights["email"]) == (
        8,
        0,
        4,
        10,
    )
    (tmp_path / "tst.toml").write_text(GOOD)
    rules = (
        TenantRegistry.load(Settings.from_env(tmp_path / "var", tmp_path)).get("tst").declaration.duplicates
    )
    assert rules.threshold == 10
    assert [rules.weights[r] for r in ("email", "phone", "name_organization", "name")] == [10, 10, 10, 5]


def test_a_bad_duplicates_table_is_one_line_from_the_cli(tmp_path):
    (tmp_path / "tst.toml").write_text(GOOD + "[duplicates]\nthreshold = -3\n")
    result = CliRunner().invoke(
        cli, ["--tenants-dir", str(tmp_path), "--data-dir", str(tmp_path / "var"), "tenants", "list"]
    )
    assert result.exit_code == 1
    assert "key 'duplicates.threshold'" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("declared", "rule"),
    [
        ("", "side"),
        ('confirmations = "side"\n', "side"),
        ('confirmations = "organization_members"\n', "organization_members"),
    ],
)
def test_who_confirms_for_a_side_is_declared_per_tenant(tmp_path, declared, rule):
    (tmp_path / "tst.toml").write_text(GOOD + declared, encoding="utf-8")
    tenant = TenantRegistry.load(Settings.from_env(tmp_path / "var", tmp_path)).get("tst")
    assert tenant.declaration.confirmations == rule
