"""Contact pages through HTTP: the form in the member's language (errors at their field, values
kept), the detail page's links (mail, phone, organization, meetings, joint actions), who sees which
buttons, and isolation between tenants."""

from __future__ import annotations

import re
import secrets

from core.accounts.roles import SYSTEM
from core.contacts.service import ContactService
from core.tenancy.context import tenant_context
from core.testing.web import Browser, sign_in

API = "/t/alpha/api/v1"
FIELD = re.compile(r'<div class="field[^"]*">.*?</div>', re.DOTALL)


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def field_html(page: str, name: str) -> str:
    """The markup of the form field holding the input ``name`` (label, input, help, errors)."""
    return next(chunk for chunk in FIELD.findall(page) if f'name="{name}"' in chunk)


def api_create(client, env, slug: str, kind: str, body: dict) -> dict:
    response = client.post(f"/t/{slug}/api/v1/{kind}", json=body, headers=env.headers(slug, "coordinator"))
    assert response.status_code == 201, response.text
    return response.json()


def test_a_bad_phone_is_explained_in_spanish_at_its_field_and_the_typed_values_stay(client, env):
    org = api_create(client, env, "alpha", "organizations", {"name": unique("Red"), "sector": "ngo"})
    browser = sign_in(client, env, "alpha", "ngo", locale="es")
    form = browser.get("/contacts/new")
    assert form.status_code == 200 and f'<option value="{org["id"]}"' in form.text
    last = unique("Robles")
    values = {
        "first_name": "Ana",
        "last_name": last,
        "organization": org["id"],
        "position": "Coordinadora",
        "emails": "ana@example.org",
        "phones": "12345",
        "roles": ["ngo_focal_point"],
        "consent_basis": "consent",
        "consent_date": "2025-03-14",
    }
    bad = browser.post("/contacts/new", values)
    assert bad.status_code == 400
    phones = field_html(bad.text, "phones")
    assert 'id="f-phones-error"' in phones and "número de teléfono válido" in phones
    assert 'aria-invalid="true"' in phones and ">12345</textarea>" in phones
    assert "número de teléfono" not in field_html(bad.text, "emails")
    assert f'value="{last}"' in bad.text and ">ana@example.org</textarea>" in bad.text
    assert 'value="ngo_focal_point" checked' in bad.text
    assert f'<option value="{org["id"]}" selected>' in bad.text
    nothing = client.get(f"{API}/contacts", params={"q": last}, headers=env.headers("alpha", "observer"))
    assert nothing.json()["items"] == []

    created = browser.post("/contacts/new", {**values, "phones": "+52 55 1234 5678"}, follow_redirects=False)
    assert created.status_code == 303
    page = browser.get(created.headers["location"])
    assert page.status_code == 200
    assert 'href="mailto:ana@example.org"' in page.text and 'href="tel:+525512345678"' in page.text
    assert "+52 55 1234 5678" in page.text
    assert f'href="/t/alpha/organizations/{org["id"]}"' in page.text
    assert "Punto de contacto no gubernamental" in page.text and "Consentimiento" in page.text
    assert "2025" in page.text and "2025-03-14" not in page.text  # the consent date, formatted


def test_detail_shows_meetings_with_attendance_organization_actions_and_the_protected_notice(client, env):
    h = env.headers("alpha", "coordinator")
    ngo = api_create(client, env, "alpha", "organizations", {"name": unique("Colectivo"), "sector": "ngo"})
    ministry = api_create(
        client, env, "alpha", "organizations", {"name": unique("Secretaría"), "sector": "government_ministry"}
    )
    contact = api_create(
        client,
        env,
        "alpha",
        "contacts",
        {"first_name": "Luz", "last_name": unique("Mora"), "organization": ngo["id"], "protected": True},
    )
    meeting = api_create(
        client,
        env,
        "alpha",
        "meetings",
        {
            "title": unique("Sesión temática"),
            "meeting_type": "thematic_session",
            "mode": "online",
            "starts_at": "2025-06-02T10:00:00-06:00",
            "ends_at": "2025-06-02T12:00:00-06:00",
        },
    )
    put = client.put(
        f"{API}/meetings/{meeting['id']}/attendees/{contact['id']}", json={"status": "attended"}, headers=h
    )
    assert put.status_code == 200
    action = api_create(
        client,
        env,
        "alpha",
        "actions",
        {"title": unique("Protocolo"), "government_lead": ministry["id"], "partners": [ngo["id"]]},
    )
    page = sign_in(client, env, "alpha", "coordinator", locale="es").get(f"/contacts/{contact['id']}")
    assert page.status_code == 200
    assert f'href="/t/alpha/meetings/{meeting["id"]}"' in page.text and "Asistió" in page.text
    assert f'href="/t/alpha/actions/{action["id"]}"' in page.text
    assert 'class="notice notice-protected"' in page.text


def test_observers_get_no_edit_buttons_and_cannot_open_the_forms(client, env):
    contact = api_create(client, env, "alpha", "contacts", {"first_name": "Iris", "last_name": unique("Paz")})
    path = f"/contacts/{contact['id']}"
    observer = sign_in(client, env, "alpha", "observer")
    page = observer.get(path)
    assert page.status_code == 200 and contact["last_name"] in page.text
    assert f"{path}/edit" not in page.text and f"{path}/archive" not in page.text
    listing = observer.get("/contacts", params={"q": contact["last_name"]})
    assert contact["last_name"] in listing.text and "/contacts/new" not in listing.text
    assert observer.get("/contacts/new").status_code == 403
    assert observer.get(f"{path}/edit").status_code == 403
    assert observer.get(f"{path}/archive").status_code == 403
    coordinator = sign_in(client, env, "alpha", "coordinator")
    assert f"{path}/edit" in coordinator.get(path).text
    assert "/contacts/new" in coordinator.get("/contacts").text


def test_list_filters_by_organization_and_role(client, env):
    org = api_create(
        client, env, "alpha", "organizations", {"name": unique("Instituto"), "sector": "academia"}
    )
    family = unique("Vega")
    expert = api_create(
        client,
        env,
        "alpha",
        "contacts",
        {"first_name": "Olga", "last_name": family, "organization": org["id"], "roles": ["donor"]},
    )
    other = api_create(client, env, "alpha", "contacts", {"first_name": "Raúl", "last_name": family})
    browser = sign_in(client, env, "alpha", "government", locale="es")
    by_org = browser.get("/contacts", params={"organization": org["id"]})
    assert f'/contacts/{expert["id"]}"' in by_org.text and f'/contacts/{other["id"]}"' not in by_org.text
    assert f'<option value="{org["id"]}" selected>' in by_org.text
    by_role = browser.get("/contacts", params={"role": "donor", "q": family})
    assert f'/contacts/{expert["id"]}"' in by_role.text and f'/contacts/{other["id"]}"' not in by_role.text
    assert "Donante" in by_role.text or "Donor" in by_role.text


def test_contact_choices_name_the_person_and_their_organization(client, env):
    org = api_create(
        client, env, "alpha", "organizations", {"name": unique("Fundación"), "sector": "foundation"}
    )
    last = unique("Soto")
    contact = api_create(
        client,
        env,
        "alpha",
        "contacts",
        {"first_name": "Marta", "last_name": last, "organization": org["id"]},
    )
    lone = api_create(client, env, "alpha", "contacts", {"first_name": "Pía", "last_name": last + "z"})

    async def choices() -> dict[int, str]:
        with tenant_context(env.registry.get("alpha")):
            return dict(await ContactService(SYSTEM).choices())

    labels = client.blocking_portal.call(choices)  # on the app's own event loop and connections
    assert labels[contact["id"]] == f"{last}, Marta ({org['name']})"
    assert labels[lone["id"]] == f"{last}z, Pía"


def test_a_member_of_alpha_cannot_open_beta_contact_pages(client, env):
    hidden = api_create(
        client, env, "beta", "contacts", {"first_name": "Nzinga", "last_name": unique("Mbande")}
    )
    alpha = sign_in(client, env, "alpha", "coordinator")
    assert alpha.get("/contacts").status_code == 200
    intruder = Browser(client, "beta")
    intruder.cookies = dict(alpha.cookies)
    for path in ("/contacts", f"/contacts/{hidden['id']}", f"/contacts/{hidden['id']}/edit", "/contacts/new"):
        response = intruder.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/t/beta/login" in response.headers["location"]
        assert hidden["last_name"] not in response.text
    forged = intruder.post(f"/contacts/{hidden['id']}/archive", {}, follow_redirects=False)
    assert forged.status_code in (303, 403)
    still = client.get(f"/t/beta/api/v1/contacts/{hidden['id']}", headers=env.headers("beta", "observer"))
    assert still.json()["archived_at"] is None
    # Alpha's own id space does not reach beta's row either.
    assert alpha.get(f"/contacts/{hidden['id']}").text.count(hidden["last_name"]) == 0
