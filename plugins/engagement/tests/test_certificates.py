"""Certificates over HTTP: the completion rule (attendance of held sessions, the final
self-assessment) with its reasons, issuing (idempotent, audited), the PDF in the holder's
language with its code and verification address, the public verification page (valid, then revoked;
nothing more; unknown codes a 404), revocation with a required reason, the contact's card, and who
may do what. Sessions, attendance and answers are written as rows: other pages make them."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pdfminer.high_level import extract_text

from core.plugin_api import OBSERVER, sign_in
from plugins.engagement.certificates import codes
from plugins.engagement.certificates.completion import ATTENDANCE_SHORT, POST_MISSING
from plugins.engagement.certificates.pdf import verification_address
from plugins.engagement.tables import Attendance, Participant, Question, Response, Session
from plugins.engagement.tests.support import OFF, ON, Api, activity, gettext, unique

NOW = datetime.now(UTC)


def contact(api: Api, first: str, last: str, language: str = "") -> dict[str, Any]:
    body = {"first_name": first, "last_name": last, "emails": [f"{unique('p').split()[1]}@example.org"]}
    if language:
        body["preferred_language"] = language
    return api.post("/contacts", body)


def write_delivery(client: Any, env: Any, activity_id: int, people: list[dict[str, Any]]) -> list[int]:
    """Five plenaries held, one self-paced module and one future session; one question; then, per
    person: (contact, sessions present, sessions excused, post submitted). Returns participant ids."""

    async def work() -> list[int]:
        held = []
        for n in range(5):
            row = await Session.insert(
                Session(activity=activity_id, title=f"Sesión {n}", starts_at=NOW - timedelta(days=10 - n))
            ).returning(Session.id)
            held.append(row[0]["id"])
        await Session.insert(
            Session(activity=activity_id, title="Módulo", kind="self_paced"),
            Session(activity=activity_id, title="Futura", starts_at=NOW + timedelta(days=5)),
        )
        await Question.insert(Question(activity=activity_id, text="¿?", options=["a", "b"], correct=0))
        ids = []
        for person in people:
            row = await Participant.insert(
                Participant(activity=activity_id, contact=person["contact"], created_at=NOW)
            ).returning(Participant.id)
            pid = row[0]["id"]
            ids.append(pid)
            statuses = ["present"] * person["present"] + ["excused"] * person["excused"]
            for session, status in zip(held, statuses, strict=False):
                await Attendance.insert(
                    Attendance(session=session, participant=pid, status=status, recorded_at=NOW)
                )
            if person["post"]:
                await Response.insert(Response(participant=pid, phase="post", submitted_at=NOW))
        return ids

    return env.run(client, ON, work)


@pytest.fixture(scope="module")
def course(client, env) -> dict[str, Any]:
    api = Api(client, env)
    made = activity(
        api,
        title=unique("Curso de formación"),
        starts_at="2026-01-10T09:00:00-06:00",
        ends_at="2026-01-20T17:00:00-06:00",
    )
    ana = contact(api, "Ana", "Ruiz", "fr")
    beto = contact(api, "Beto", "López")
    carla = contact(api, "Carla", "Díaz", "ar")
    people = [
        {"contact": ana["id"], "present": 4, "excused": 1, "post": True},  # 80 %: complete
        {"contact": beto["id"], "present": 3, "excused": 2, "post": True},  # 60 %: excused do not count
        {"contact": carla["id"], "present": 5, "excused": 0, "post": False},  # no final self-assessment
    ]
    ids = write_delivery(client, env, made["id"], people)
    return {"activity": made, "contacts": [ana, beto, carla], "participants": ids}


def test_the_completion_rule_issues_certificates_that_verify_then_revoke(client, env, course):
    api = Api(client, env)
    activity_id = course["activity"]["id"]
    ana, beto, carla = course["contacts"]
    path = f"/engagement/activities/{activity_id}/certificates"

    standing = {i["contact"]: i for i in api.get(path)["items"]}
    assert standing[ana["id"]]["complete"] and standing[ana["id"]]["reasons"] == []
    assert standing[beto["id"]]["attended"] == 3 and standing[beto["id"]]["held"] == 5
    assert standing[beto["id"]]["reasons"] == [
        gettext(env, "es", ATTENDANCE_SHORT, attended=3, held=5, rate=60, needed=80)
    ]
    assert standing[carla["id"]]["reasons"] == [gettext(env, "es", POST_MISSING)]

    browser = sign_in(client, env, ON, "coordinator")
    page = browser.get(path)
    assert page.status_code == 200 and "Ruiz" in page.text and "Díaz" in page.text
    assert gettext(env, "es", ATTENDANCE_SHORT, attended=3, held=5, rate=60, needed=80) in page.text
    issued = browser.post(f"{path}/issue", {}, follow_redirects=False)
    assert issued.status_code == 303, issued.text[:300]
    assert api.post(f"{path}/issue", None, status=200)["issued"] == []  # nothing twice

    standing = {i["contact"]: i for i in api.get(path)["items"]}
    assert standing[beto["id"]]["certificates"] == [] and standing[carla["id"]]["certificates"] == []
    (certificate,) = standing[ana["id"]]["certificates"]
    code = certificate["code"]
    assert certificate["holder_name"] == "Ana Ruiz" and certificate["language"] == "fr"
    assert certificate["completed_on"] == "2026-01-20" and certificate["valid"]
    assert len(code) == 16 and set(code) <= set(codes.ALPHABET)
    audit = client.get(
        f"/t/{ON}/api/v1/audit",
        params={"entity": "certificate", "entity_id": certificate["id"]},
        headers=env.headers(ON, "coordinator"),
    ).json()
    assert [e["action"] for e in audit] == ["create"]

    pdf = browser.get(f"/engagement/certificates/{certificate['id']}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(extract_text(io.BytesIO(pdf.content)).split())
    address = verification_address("http://testserver.local", ON, code)
    assert codes.grouped(code) in text and "Ana Ruiz" in text and course["activity"]["title"] in text
    assert address in text  # the QR code holds the same address (verification_address)

    # The public page: no sign-in, the code typed in lower case without dashes.
    client.cookies.clear()
    public = client.get(f"/t/{ON}/engagement/certificates/verify/{code.lower()}")
    assert public.status_code == 200 and 'data-valid="yes"' in public.text
    assert "Ana Ruiz" in public.text and course["activity"]["title"] in public.text
    assert '<meta name="robots" content="noindex, nofollow">' in public.text
    assert public.headers["x-robots-tag"] == "noindex, nofollow"
    assert "@example.org" not in public.text
    typed = client.get(
        f"/t/{ON}/engagement/certificates/verify", params={"code": code.lower()}, follow_redirects=False
    )
    assert typed.status_code == 303 and typed.headers["location"].endswith(f"/verify/{codes.grouped(code)}")
    # Text that is no code at all is not cut to fit: no certificate has it, and it is shown back whole.
    typo = "X" * 70 + "-" + code
    wrong = client.get(f"/t/{ON}/engagement/certificates/verify", params={"code": typo})
    assert wrong.status_code == 404 and f'value="{typo}"' in wrong.text and 'role="alert"' in wrong.text
    unknown = client.get(f"/t/{ON}/engagement/certificates/verify/{codes.new_code()}")
    assert unknown.status_code == 404 and 'name="code"' in unknown.text
    assert client.get(f"/t/{OFF}/engagement/certificates/verify/{code}").status_code == 404

    # The contact's card lists it, with its verification page.
    card = browser.get(f"/contacts/{ana['id']}")
    assert f'data-certificate="{certificate["id"]}"' in card.text and codes.grouped(code) in card.text

    # Revocation: a reason is required, then the page says revoked, and the revocation is audited.
    revoke = f"/engagement/certificates/{certificate['id']}/revoke"
    refused = browser.post(revoke, {"reason": "  "}, follow_redirects=False)
    assert refused.status_code == 400
    assert gettext(env, "es", "Give the reason for the revocation.") in refused.text
    assert browser.post(revoke, {"reason": "Datos erróneos"}, follow_redirects=False).status_code == 303
    revoked = client.get(f"/t/{ON}/engagement/certificates/verify/{codes.grouped(code)}")
    assert revoked.status_code == 200 and 'data-valid="no"' in revoked.text
    assert "Datos erróneos" not in revoked.text
    api.call("POST", f"/engagement/certificates/{certificate['id']}/revoke", 400, {"reason": "otra vez"})
    audit = client.get(
        f"/t/{ON}/api/v1/audit",
        params={"entity": "certificate", "entity_id": certificate["id"]},
        headers=env.headers(ON, "coordinator"),
    ).json()
    assert [e["action"] for e in audit] == ["update", "create"]

    # A revoked certificate stays revoked; a new one can be issued.
    (again,) = api.post(f"{path}/issue", None, status=200)["issued"]
    assert again["contact"] == ana["id"] and again["code"] != code and again["valid"]


def test_the_pdf_is_written_in_arabic_for_an_arabic_speaker(client, env, course):
    """Carla prefers Arabic: once she submits the final self-assessment, her certificate is in
    Arabic, laid out right to left (the shaped text still carries the code)."""
    participant = course["participants"][2]
    env.run(
        client,
        ON,
        lambda: Response.insert(Response(participant=participant, phase="post", submitted_at=NOW)).run(),
    )
    api = Api(client, env)
    issued = api.post(f"/engagement/activities/{course['activity']['id']}/certificates/issue", None, 200)
    (certificate,) = [c for c in issued["issued"] if c["participant"] == participant]
    assert certificate["language"] == "ar"
    pdf = sign_in(client, env, ON, "coordinator").get(
        f"/engagement/certificates/{certificate['id']}/certificate.pdf"
    )
    assert pdf.status_code == 200 and codes.grouped(certificate["code"]) in extract_text(
        io.BytesIO(pdf.content)
    )


def test_only_coordinators_manage_certificates_and_bad_input_is_refused(client, env, course):
    activity_id = course["activity"]["id"]
    observer = Api(client, env, OBSERVER)
    observer.get(f"/engagement/activities/{activity_id}/certificates", 403)
    observer.call("POST", f"/engagement/activities/{activity_id}/certificates/issue", 403)
    assert (
        sign_in(client, env, ON, OBSERVER)
        .get(f"/engagement/activities/{activity_id}/certificates")
        .status_code
        == 403
    )
    api = Api(client, env)
    api.get("/engagement/activities/999999/certificates", 404)
    certificate = api.get(f"/engagement/activities/{activity_id}/certificates")["items"][0]["certificates"]
    target = certificate[0]["id"] if certificate else 1
    missing = api.call("POST", f"/engagement/certificates/{target}/revoke", 400, {})
    assert "reason" in str(missing)
    api.call("POST", f"/engagement/certificates/{target}/revoke", 400, {"reason": "x" * 2001})
    api.call("POST", "/engagement/certificates/999999/revoke", 404, {"reason": "x"})
    bad = api.call(
        "POST",
        "/engagement/activities",
        400,
        {**course["activity"] | {"title": unique("Otro")}, "completion_attendance": 120},
    )
    assert "completion_attendance" in str(bad)
    # Left blank, the attendance needed is the default; a body silent on the rule requires the
    # final self-assessment too.
    blank = activity(api, completion_attendance=None)
    assert (blank["completion_attendance"], blank["completion_requires_post"]) == (80, False)
    assert (course["activity"]["completion_attendance"], course["activity"]["completion_requires_post"]) == (
        80,
        True,
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("abcd-1234-efgh-5678", "ABCD1234EFGH5678"),
        (" ABCD 1234 EFGH 5678 ", "ABCD1234EFGH5678"),
        ("OBCD-I234-EFGH-L678", "0BCD1234EFGH1678"),
        ("ABCD-1234-EFGH-567", None),
        ("ABCD-1234-EFGH-567U", None),
    ],
)
def test_codes_are_read_as_typed(typed, stored):
    assert codes.normalize(typed) == stored
    assert codes.grouped("ABCD1234EFGH5678") == "ABCD-1234-EFGH-5678"
    assert len({codes.new_code() for _ in range(50)}) == 50


def test_completions_from_a_platform_are_imported_once(client, env):
    """A dry run says per line which contact it is and what is wrong, writing nothing; the commit
    creates contacts, participants and certificates; the same file again creates nothing."""
    api = Api(client, env)
    cohort = activity(api, kind="course_cohort", title=unique("Curso en línea"))
    known = contact(api, "Lucía", "Mora")
    email = api.get(f"/contacts/{known['id']}")["emails"][0]
    new_email = f"{unique('nuevo').split()[1]}@example.org"
    content = (
        "Email address;Name;Course;Completed on;Certificate ID;Platform\n"
        f"{email};Lucía Mora;Curso UNTOC;2026-02-01;C-{new_email[:6]}-1;\n"
        f"{new_email};Pedro Sánchez Gil;Curso UNTOC;2026-02-02;C-{new_email[:6]}-2;Campus\n"
        f"otra@example.org;Rosa Vega;Curso UNTOC;el martes;C-{new_email[:6]}-3;\n"
        f"{new_email};Pedro Sánchez Gil;Curso UNTOC;2026-02-02;C-{new_email[:6]}-2;Campus\n"
    ).encode()
    browser = sign_in(client, env, ON, "coordinator")
    assert browser.get("/engagement/certificates/import").status_code == 200
    form = {"activity": str(cohort["id"]), "platform": "Aula virtual"}
    files = {"file": ("completions.csv", content, "text/csv")}
    dry = browser.upload("/engagement/certificates/import", form, files)
    assert dry.status_code == 200, dry.text[:500]
    states = dict(re.findall(r'data-line="(\d+)" data-state="(\w+)"', dry.text))
    assert states == {"2": "new", "3": "new", "4": "error", "5": "duplicate"}
    assert (
        gettext(env, "es", "Existing contact") in dry.text and gettext(env, "es", "New contact") in dry.text
    )
    assert api.get(f"/engagement/activities/{cohort['id']}/certificates")["items"] == []  # nothing written

    payload = re.search(r'name="payload" value="([^"]*)"', dry.text)
    assert payload
    body = {**form, "payload": html.unescape(payload.group(1))}
    committed = browser.post("/engagement/certificates/import/commit", body, follow_redirects=False)
    assert committed.status_code == 303, committed.text[:500]
    items = api.get(f"/engagement/activities/{cohort['id']}/certificates")["items"]
    certificates = sorted((c for i in items for c in i["certificates"]), key=lambda c: c["external_id"])
    assert [(c["holder_name"], c["platform"], c["source"]) for c in certificates] == [
        ("Lucía Mora", "Aula virtual", "import"),
        ("Pedro Sánchez Gil", "Campus", "import"),
    ]
    assert certificates[0]["contact"] == known["id"] and certificates[0]["activity_title"] == "Curso UNTOC"
    assert all(i["complete"] for i in items)  # the platform's completion date stands for the rule
    pedro = api.get("/contacts", q=new_email)["items"]
    assert [(p["first_name"], p["last_name"]) for p in pedro] == [("Pedro Sánchez", "Gil")]

    again = browser.upload("/engagement/certificates/import", form, files)
    assert set(dict(re.findall(r'data-line="(\d+)" data-state="(\w+)"', again.text)).values()) == {
        "duplicate",
        "error",
    }
    assert (
        browser.post("/engagement/certificates/import/commit", body, follow_redirects=False).status_code
        == 303
    )
    items = api.get(f"/engagement/activities/{cohort['id']}/certificates")["items"]
    assert sum(len(i["certificates"]) for i in items) == 2

    unreadable = browser.upload(
        "/engagement/certificates/import", form, {"file": ("x.csv", b"Name\nAna\n", "text/csv")}
    )
    assert unreadable.status_code == 400 and 'id="file-error"' in unreadable.text
    tampered = browser.post("/engagement/certificates/import/commit", {**form, "payload": "[{"})
    assert tampered.status_code == 400
