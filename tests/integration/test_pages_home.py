"""The site's root page, the address ``pilot-crm serve`` prints: an HTML page listing the pilots
with links (their country and languages in the reader's language), or a redirect to the only one;
never a JSON 404. It reads declarations only, so these tests build apps over declaration files
alone (no tenant database is opened to answer it)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from litestar.testing import TestClient

from core.settings import Settings
from core.tenancy.registry import TenantRegistry
from core.web.app import create_app

NASTY = "<script>alert(\"x\")</script> & Ñandú 'pilot'"


def declaration(slug: str, **keys: object) -> str:
    values: dict[str, object] = {
        "slug": slug,
        "name": f"Pilot {slug}",
        "country": "MEX",
        "default_locale": "es",
        "locales": ["es", "en"],
        "timezone": "America/Mexico_City",
        **keys,
    }
    return "".join(f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in values.items())


@contextmanager
def site(tmp_path: Path, *tenants: str) -> Iterator[TestClient]:
    """A served app over the declarations ``tenants`` (TOML texts)."""
    folder = tmp_path / "tenants"
    folder.mkdir()
    for text in tenants:
        slug = re.search(r'slug = "([^"]+)"', text).group(1)  # type: ignore[union-attr]
        (folder / f"{slug}.toml").write_text(text, encoding="utf-8")
    settings = Settings.from_env(tmp_path / "var", folder)
    app = create_app(settings, TenantRegistry.load(settings))
    with TestClient(app) as client:
        yield client


def listed_slugs(html: str) -> list[str]:
    return re.findall(r'<li class="card" data-tenant="([^"]+)">', html)


def test_several_pilots_are_listed_with_links_in_the_readers_language(tmp_path):
    with site(
        tmp_path,
        declaration("mx", description="Diálogo entre el Gobierno y la sociedad civil.")
        + '[names]\nfr = "Pilote mexicain"\n',
        declaration(
            "ao", name="Angola — Iniciativa", country="AGO", default_locale="pt", locales=["pt", "en"]
        ),
        declaration("demo", country="JOR", default_locale="ar", locales=["ar", "en", "fr"], demo=True),
    ) as client:
        page = client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
        html = page.text
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "Accept-Language" in page.headers["vary"]
        assert '<html lang="fr" dir="ltr">' in html and 'href="/static/app.css"' in html
        assert listed_slugs(html) == ["ao", "demo", "mx"]
        for slug in ("ao", "demo", "mx"):
            assert f'href="/t/{slug}/"' in html
        # Names and descriptions as declared, marked with their language; CLDR names in French.
        assert '<a href="/t/ao/" lang="pt">Angola — Iniciativa</a>' in html
        assert '<a href="/t/mx/" lang="fr">Pilote mexicain</a>' in html
        assert '<p lang="es" dir="auto">Diálogo entre el Gobierno y la sociedad civil.</p>' in html
        assert "<dd>Mexique</dd>" in html and "<dd>Jordanie</dd>" in html
        assert "<dd>espagnol et anglais</dd>" in html and "<dd>arabe, anglais et français</dd>" in html
        assert html.count('class="badge badge-demo"') == 1  # only the demonstration is badged
        # The same page for a Spanish reader, and in English for a language core does not speak.
        spanish = client.get("/", headers={"Accept-Language": "es-MX"}).text
        assert (
            '<html lang="es"' in spanish and "<dd>México</dd>" in spanish and "<dd>Jordania</dd>" in spanish
        )
        # A name the declaration gives in the reader's language is the one shown.
        assert '<a href="/t/mx/" lang="es">Pilot mx</a>' in spanish
        other = client.get("/", headers={"Accept-Language": "de-AT"}).text
        assert '<html lang="en"' in other and "<dd>Spanish and English</dd>" in other


def test_arabic_readers_get_the_page_right_to_left(tmp_path):
    with site(tmp_path, declaration("mx"), declaration("ao", country="AGO")) as client:
        html = client.get("/", headers={"Accept-Language": "ar"}).text
        assert '<html lang="ar" dir="rtl">' in html and "<dd>المكسيك</dd>" in html


@pytest.mark.parametrize(
    "name",
    [NASTY, '"><img src=x onerror=alert(1)>', "{{ 7*7 }} {% raw %}", "عرض توضيحي <b>bold</b>"],
)
def test_names_and_descriptions_are_escaped(tmp_path, name):
    with site(tmp_path, declaration("one", name=name, description=name), declaration("two")) as client:
        html = client.get("/").text
        assert "<script>" not in html and "<img" not in html and "<b>bold" not in html
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        escaped = escaped.replace('"', "&#34;").replace("'", "&#39;")
        assert html.count(escaped) == 2  # the link and the description
        assert "49" not in html.split("<main", 1)[1]  # never evaluated as a template


def test_the_only_pilot_is_opened_straight_away(tmp_path):
    with site(tmp_path, declaration("solo")) as client:
        response = client.get("/", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/t/solo/"
        landed = client.get("/")
        assert landed.status_code == 200 and '<html lang="es"' in landed.text  # its sign-in page


def test_unlisted_pilots_are_left_out(tmp_path):
    with site(
        tmp_path, declaration("open"), declaration("hidden", listed=False), declaration("third")
    ) as client:
        html = client.get("/").text
        assert (
            listed_slugs(html) == ["open", "third"]
            and "/t/hidden/" not in html
            and "Pilot hidden" not in html
        )
        # Its own pages still answer for those given the address.
        assert client.get("/t/hidden/login").status_code == 200
        assert client.get("/t/nowhere/", follow_redirects=False).status_code == 404


def test_with_one_listed_pilot_the_root_opens_it(tmp_path):
    with site(tmp_path, declaration("open"), declaration("hidden", listed=False)) as client:
        response = client.get("/", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/t/open/"


def test_no_listed_pilot_is_said_in_a_page_not_a_json_404(tmp_path):
    with site(tmp_path, declaration("hidden", listed=False)) as client:
        page = client.get("/", headers={"Accept-Language": "es"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert listed_slugs(page.text) == [] and "/t/hidden/" not in page.text
        assert 'class="tenant-directory"' not in page.text and '<main id="main"' in page.text


def test_a_host_a_pilot_declares_opens_that_pilot(tmp_path):
    with site(
        tmp_path, declaration("mx", hosts=["crm.mx.example.org"]), declaration("ao", country="AGO")
    ) as client:
        for host in ("crm.mx.example.org", "CRM.mx.example.org:8443"):
            response = client.get("/", headers={"Host": host}, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"] == "/t/mx/", host
        assert client.get("/", headers={"Host": "elsewhere.example.org"}).status_code == 200
