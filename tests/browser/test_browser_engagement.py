"""The engagement plugin's cycle in a real browser, on the global team's demo tenant in French: a
person applies to the open call without an account (and is told a past call is closed), a
coordinator reads the eligibility reasons and scores in the review queue, selects, waitlists and
rejects, and the decision mails reach the outbox in each applicant's language; then a certificate of
the past training downloads as a PDF and its public verification page says valid, then revoked."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from tests.browser.kit import choose_in_picker, first_link, goto_ok, picker_options, sign_in
from tests.support import REPO_ROOT, translation

SLUG = "global"
ENGAGEMENT = REPO_ROOT / "plugins" / "engagement" / "locales"


def plugin_text(lang: str, msgid: str) -> str:
    return translation(lang, msgid, ENGAGEMENT)


def apply(context, call_path: str, person: dict[str, str]) -> None:
    """Fill and send the call's form as ``person`` (the page in French, their mails in theirs)."""
    page = context.new_page()
    goto_ok(page, f"{call_path}?lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.fill("#f-first_name", person["first_name"])
    page.fill("#f-last_name", person["last_name"])
    page.fill("#f-email", person["email"])
    page.fill("#f-phone", person["phone"])
    page.select_option("#f-country", "MEX")
    page.fill("#f-organization_name", person["organization"])
    page.select_option("#f-organization_sector", person["sector"])
    page.select_option("#f-organization_country", "MEX")
    page.check("input[name=issue_areas][value=SOM]")
    page.select_option("#f-based_in_region", "yes")
    page.fill("#f-motivation", "Nous accompagnons des personnes migrantes depuis dix ans.")
    page.select_option("#f-language", person["language"])
    page.check("#f-consent")
    with page.expect_navigation():
        page.locator("#f-consent").locator("xpath=ancestor::form").locator("[type=submit]").click()
    assert urlsplit(page.url).path == f"{call_path}/thanks", page.url
    page.close()


def test_apply_review_and_decide_in_french(new_context, live_server):
    visitor = new_context(locale="fr-FR")
    page = visitor.new_page()
    goto_ok(page, f"/t/{SLUG}/engagement/calls?lang=fr")
    call_path = urlsplit(first_link(page, rf"^/t/{SLUG}/engagement/calls/\d+")).path
    activity_id = call_path.rsplit("/", 1)[-1]

    # A past call says it is closed, with no form.
    closed = None
    for candidate in range(1, 12):
        if str(candidate) == activity_id:
            continue
        response = page.goto(f"/t/{SLUG}/engagement/calls/{candidate}?lang=fr")
        if response is not None and response.status == 200 and page.locator("#call-closed").count():
            closed = candidate
            break
    assert closed is not None, "the demo's past training shows no closed call"
    assert page.locator("#f-email").count() == 0

    tag = secrets.token_hex(3)
    people = [
        {"language": "fr", "sector": "ngo", "first_name": "Amélie"},
        {"language": "es", "sector": "academia", "first_name": "Lucía"},
        {"language": "en", "sector": "government_ministry", "first_name": "Grace"},
    ]
    for n, person in enumerate(people):
        person.update(
            last_name=f"Essai{tag}",
            email=f"{person['first_name'].lower()}.{tag}@example.org".replace("é", "e").replace("í", "i"),
            phone=f"+52 55 {secrets.randbelow(9000) + 1000} {secrets.randbelow(9000) + 1000}",
            organization=f"Collectif {tag} {n}",
        )
        apply(visitor, call_path, person)
        (confirmation,) = live_server.outbox(SLUG, person["email"])
        assert confirmation["Content-Language"] == person["language"]

    # The coordinator's review queue: reasons and scores, then one decision of each kind.
    coordinator = sign_in(new_context(locale="fr-FR"), SLUG, "coordinator")
    queue = f"/t/{SLUG}/engagement/activities/{activity_id}/applications"
    goto_ok(coordinator, f"{queue}?q={tag}")

    def row(person: dict[str, str]):
        return coordinator.locator("tr[data-application]", has_text=person["first_name"])

    assert row(people[2]).locator("[data-eligible=no] li[data-criterion=sector]").count() == 1
    for person in people[:2]:
        assert row(person).locator("[data-eligible=yes]").count() == 1
        assert int(row(person).locator("[data-score]").get_attribute("data-score")) > 0
    for person, decision in zip(people, ("selected", "waitlisted", "rejected"), strict=True):
        goto_ok(coordinator, f"{queue}?q={tag}")
        row(person).locator("input[type=checkbox][name=application]").check()
        coordinator.select_option("#decision", decision)
        if decision == "rejected":
            coordinator.fill("#reason", "Réservé aux organisations non gouvernementales.")
        with coordinator.expect_navigation():
            coordinator.locator("#decisions [type=submit]").last.click()
        assert row(person).get_attribute("data-status") == decision, coordinator.url

    subjects = {
        "selected": "You have been selected: {activity}",
        "waitlisted": "You are on the waitlist: {activity}",
        "rejected": "Your application was not selected: {activity}",
    }
    for person, decision in zip(people, subjects, strict=True):
        mails = live_server.outbox(SLUG, person["email"])
        assert len(mails) == 2, [m["Subject"] for m in mails]
        lead = plugin_text(person["language"], subjects[decision]).split("{activity}")[0]
        assert mails[-1]["Subject"].startswith(lead), (mails[-1]["Subject"], lead)
        assert mails[-1]["Content-Language"] == person["language"]


def test_a_certificate_downloads_and_its_public_page_says_valid_then_revoked(new_context):
    coordinator = sign_in(new_context(locale="fr-FR"), SLUG, "coordinator")
    goto_ok(coordinator, f"/t/{SLUG}/engagement/activities?status=completed&kind=training")
    activity = urlsplit(first_link(coordinator, rf"^/t/{SLUG}/engagement/activities/\d+$")).path
    goto_ok(coordinator, f"{activity}/certificates")
    certificate = coordinator.locator("div.certificate[data-valid=yes]").first
    certificate_id = certificate.get_attribute("data-certificate")
    pdf_href = certificate.locator("a[href$='certificate.pdf']").get_attribute("href")
    pdf = coordinator.request.get(pdf_href)
    assert pdf.status == 200 and pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")
    verify_href = certificate.locator("a[href*='/certificates/verify/']").get_attribute("href")

    visitor = new_context(locale="fr-FR").new_page()
    goto_ok(visitor, verify_href)
    assert visitor.locator("section[data-valid]").get_attribute("data-valid") == "yes"

    coordinator.fill(f"#reason-{certificate_id}", "Délivré par erreur.")
    with coordinator.expect_navigation():
        coordinator.locator(f"#reason-{certificate_id}").locator("xpath=ancestor::form").locator(
            "[type=submit]"
        ).click()
    assert (
        coordinator.locator(f"div.certificate[data-certificate='{certificate_id}']").get_attribute(
            "data-valid"
        )
        == "no"
    )
    goto_ok(visitor, verify_href)
    assert visitor.locator("section[data-valid]").get_attribute("data-valid") == "no"
    assert re.search(r"\d", visitor.locator("section[data-valid]").inner_text())


def test_attendance_and_the_post_questionnaire_lead_to_a_certificate(new_context, live_server):
    coordinator = sign_in(new_context(locale="fr-FR"), SLUG, "coordinator")
    goto_ok(coordinator, f"/t/{SLUG}/engagement/activities?status=completed&kind=training")
    activity = urlsplit(first_link(coordinator, rf"^/t/{SLUG}/engagement/activities/\d+$")).path

    # A participant added by hand with the picker (the last contact it offers, not yet taking part).
    goto_ok(coordinator, f"{activity}/participants")
    before = set(
        coordinator.eval_on_selector_all("tr[data-participant]", "rs => rs.map(r => r.dataset.participant)")
    )
    taking_part = set(
        coordinator.eval_on_selector_all(
            "tr[data-participant] a[href*='/contacts/']", "as => as.map(a => a.href.split('/').pop())"
        )
    )
    assert coordinator.locator("#f-contact").is_hidden()
    offered = picker_options(coordinator, "f-contact")
    assert offered and not {value for value, _ in offered} & taking_part  # the picker leaves them out
    choose_in_picker(coordinator, "f-contact", offered[-1][0])
    with coordinator.expect_navigation():
        coordinator.click("#participant-add")
    after = set(
        coordinator.eval_on_selector_all("tr[data-participant]", "rs => rs.map(r => r.dataset.participant)")
    )
    (participant,) = after - before

    # Attendance, in bulk, for every session of the programme.
    goto_ok(coordinator, f"{activity}/sessions")
    sessions = sorted(
        set(
            coordinator.eval_on_selector_all(
                "a[href*='/attendance']", "as => as.map(a => a.getAttribute('href'))"
            )
        )
    )
    assert sessions
    for href in sessions:
        goto_ok(coordinator, href)
        with coordinator.expect_navigation():
            coordinator.click("#all-present")
        assert coordinator.locator("input[type=radio][value=present]:checked").count() >= 1

    # The participant's personal link, mailed; the post questionnaire answered through it.
    known = len(live_server.outbox(SLUG))
    goto_ok(coordinator, f"{activity}/participants")
    with coordinator.expect_navigation():
        coordinator.locator(f"form[action$='/participants/{participant}/resend'] button").click()
    (mail,) = live_server.outbox(SLUG)[known:]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/engagement/participant/\S+", body)
    assert link, body
    visitor = new_context(locale="fr-FR").new_page()
    goto_ok(visitor, urlsplit(link.group(0)).path)
    form = visitor.locator("#questionnaire-post")
    names = sorted(set(form.locator("input[type=radio]").evaluate_all("rs => rs.map(r => r.name)")))
    assert names
    for name in names:
        form.locator(f"input[type=radio][name='{name}']").first.check()
    with visitor.expect_navigation():
        form.locator("[type=submit]").click()
    assert visitor.locator("#questionnaire-done").count() == 1

    # The completion rule now holds for them: a certificate is issued.
    goto_ok(coordinator, f"{activity}/certificates")
    assert (
        coordinator.locator(f"li[data-participant='{participant}']").get_attribute("data-complete") == "yes"
    )
    with coordinator.expect_navigation():
        coordinator.locator("form[action$='/certificates/issue'] [type=submit]").click()
    issued = coordinator.locator(f"li[data-participant='{participant}'] div.certificate[data-valid=yes]")
    assert issued.count() == 1


def fits(page) -> None:
    """Nothing wider than a 360 px screen: no sideways scrolling, every control within it."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    overflowing = page.eval_on_selector_all(
        "main input:not([type=hidden]):not([tabindex='-1']), main select, main textarea, main button",
        "els => els.filter(e => { const r = e.getBoundingClientRect();"
        " return r.width > 0 && (r.left < -1 || r.right > 361); }).map(e => e.outerHTML.slice(0, 120))",
    )
    assert not overflowing, overflowing


def test_apply_and_review_in_arabic_on_a_phone(new_context, live_server):
    slug = "demo-ar"
    visitor = new_context(locale="ar", width=360, height=740)
    page = visitor.new_page()
    goto_ok(page, f"/t/{slug}/engagement/calls?lang=ar")
    call_path = urlsplit(first_link(page, rf"^/t/{slug}/engagement/calls/\d+")).path
    goto_ok(page, f"{call_path}?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    fits(page)
    tag = secrets.token_hex(3)
    email = f"huda.{tag}@example.org"
    page.fill("#f-first_name", "هدى")
    page.fill("#f-last_name", f"تجربة{tag}")
    page.fill("#f-email", email)
    page.fill("#f-phone", f"+962 79 {secrets.randbelow(900) + 100} {secrets.randbelow(9000) + 1000}")
    page.select_option("#f-country", "JOR")
    page.fill("#f-organization_name", f"جمعية {tag}")
    page.select_option("#f-organization_sector", "ngo")
    page.select_option("#f-organization_country", "JOR")
    page.check("input[name=issue_areas][value=TIP]")
    page.select_option("#f-based_in_region", "yes")
    page.fill("#f-motivation", "نعمل مع ضحايا الاتجار بالبشر منذ سنوات.")
    page.select_option("#f-language", "ar")
    page.check("#f-consent")
    with page.expect_navigation():
        page.locator("#f-consent").locator("xpath=ancestor::form").locator("[type=submit]").click()
    assert urlsplit(page.url).path == f"{call_path}/thanks", page.locator(".error").all_inner_texts()
    fits(page)
    (confirmation,) = live_server.outbox(slug, email)
    assert confirmation["Content-Language"] == "ar"

    coordinator = sign_in(new_context(locale="ar", width=360, height=740), slug, "coordinator")
    queue = f"/t/{slug}/engagement/activities/{call_path.rsplit('/', 1)[-1]}/applications"
    goto_ok(coordinator, queue)
    assert coordinator.locator("html").get_attribute("dir") == "rtl"
    fits(coordinator)
    row = coordinator.locator("tr[data-application]", has_text=f"تجربة{tag}")
    assert row.locator("[data-eligible=yes]").count() == 1
    row.locator("input[type=checkbox][name=application]").check()
    coordinator.select_option("#decision", "selected")
    with coordinator.expect_navigation():
        coordinator.locator("#decisions [type=submit]").last.click()
    assert row.get_attribute("data-status") == "selected"
    fits(coordinator)
    decision = live_server.outbox(slug, email)[-1]
    assert decision["Content-Language"] == "ar"
    assert decision["Subject"].startswith(
        plugin_text("ar", "You have been selected: {activity}").split("{activity}")[0]
    )
