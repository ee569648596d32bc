"""The roadmap report through HTTP: the printable page and the PDF, in Spanish and in Arabic (right
to left), with each action's title, its overdue mark, both sides' confirmations and its progress;
the text and its positions are read back from the PDF with pdfminer."""

from __future__ import annotations

import io
import re

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer, LTTextLine

from core.testing.environment import TenantSpec
from core.testing.web import Browser, sign_in

MARGIN = 10 / 25.4 * 72  # fpdf2's default margin (1 cm) in PDF points


@pytest.fixture(scope="module")
def pilot_crm_tenants():
    return [
        TenantSpec("alpha", "MEX", "es", ("es", "en"), "America/Mexico_City", ("mexico",)),
        TenantSpec("gamma", "JOR", "ar", ("ar", "en"), "Asia/Amman", ("demo_ar",)),
    ]


def api(slug: str) -> str:
    return f"/t/{slug}/api/v1"


def post(client, env, slug: str, path: str, role: str = "coordinator", **data) -> dict:
    response = client.post(f"{api(slug)}{path}", json=data, headers=env.headers(slug, role))
    assert response.status_code in (200, 201), response.text
    return response.json()


def roadmap(client, env, slug: str, titles: tuple[str, str, str], topics: tuple[str, str]) -> None:
    """Three actions: an overdue one under a national priority (progress, the government side's
    confirmation), one due later under another topic, and a completed one with no topic."""
    lead = post(client, env, slug, "/organizations", name=f"Ministerio {slug}", sector="government_ministry")
    partner = post(client, env, slug, "/organizations", name=f"Universidad {slug}", sector="academia")
    common = {"government_lead": lead["id"], "partners": [partner["id"]]}
    late = post(
        client, env, slug, "/actions", title=titles[0], status="in_progress", due_date="2020-01-31",
        topics=[topics[0], topics[1]], **common,
    )  # fmt: skip
    post(client, env, slug, "/actions", title=titles[1], status="agreed", due_date="2099-12-31",
         topics=[topics[1]], **common)  # fmt: skip
    done = post(
        client, env, slug, "/actions", title=titles[2], status="agreed", due_date="2020-01-01", **common
    )
    post(client, env, slug, f"/actions/{late['id']}/progress", "ngo", on_date="2025-03-04", note="Taller 1")
    post(client, env, slug, f"/actions/{late['id']}/confirm", "government")
    for role in ("government", "ngo"):
        post(client, env, slug, f"/actions/{done['id']}/confirm", role)


def pdf_lines(content: bytes) -> list[tuple[float, float, float, str]]:
    """(x0, x1, page width, text) of every text line of the PDF, page by page, top to bottom."""
    lines = []
    for page in extract_pages(io.BytesIO(content)):
        for box in page:
            if isinstance(box, LTTextContainer):
                for line in box:
                    if isinstance(line, LTTextLine) and line.get_text().strip():
                        lines.append((line.x0, line.x1, page.width, line.get_text().strip()))
    return lines


def logical(line: str) -> str:
    """A right-to-left line as written, from the visual order the PDF draws its glyphs in: reversed,
    with its left-to-right runs (Latin words, digits) put back the right way round."""
    return re.sub(r"[A-Za-z0-9@._-]+", lambda m: m.group(0)[::-1], line[::-1])


def download(browser: Browser) -> bytes:
    response = browser.get("/reports/roadmap.pdf")
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith('attachment; filename="roadmap-')
    return response.content


ES = ("Protocolo de atención", "Capacitación judicial", "Campaña de prevención")
AR = ("خطة حماية الضحايا", "تدريب القضاة", "حملة توعية")


def test_the_spanish_report_lists_actions_by_topic_with_overdue_marks_and_confirmations(client, env):
    roadmap(client, env, "alpha", ES, ("MX-VICTIMS", "TIP"))
    observer = sign_in(client, env, "alpha", "observer", locale="es")
    lines = pdf_lines(download(observer))
    text = "\n".join(line for *_, line in lines)
    assert "Test tenant alpha" in text and "Informe de la hoja de ruta" in text and "Generado el " in text
    assert f"{ES[0]} — Vencida" in text  # overdue: due in 2020, still in progress
    assert f"{ES[1]} — Vencida" not in text and ES[1] in text
    assert f"{ES[2]} — Vencida" not in text and ES[2] in text  # completed: never overdue
    flat = " ".join(line for *_, line in lines)
    priority = "Protección de las víctimas de la trata de personas — Prioridad nacional"
    order = [flat.index(priority), flat.index(" Trata de personas Capacitación"), flat.index(" Sin tema ")]
    assert order == sorted(order)
    assert (
        flat.index(ES[0], order[0])
        < order[1]
        < flat.index(ES[1], order[1])
        < order[2]
        < flat.index(ES[2], order[2])
    )
    assert "Parte gubernamental: Confirmado por government@alpha.test el " in text
    assert "Parte no gubernamental: Aún sin confirmar" in text
    assert "Estado: En curso" in text and "Taller 1" in text and "ngo@alpha.test" in text
    assert "Acciones conjuntas vencidas: 1" in text
    # Left to right: every line starts at the left margin.
    body = [(x0, x1, width) for x0, x1, width, line in lines if not line.isdigit()]
    assert all(abs(x0 - MARGIN) < 4 for x0, _, _ in body)
    assert any(x1 < width - MARGIN - 100 for _, x1, width in body)

    page = observer.get("/reports/roadmap")
    assert page.status_code == 200 and '<html lang="es" dir="ltr">' in page.text
    assert all(title in page.text for title in ES)
    # Printed without the app's menus and the download button (the stylesheet's print rules).
    css = client.get("/static/app.css").text
    print_rules = css[css.index("@media print") :]
    assert ".site-header" in print_rules and ".no-print" in print_rules and 'class="no-print"' in page.text
    assert page.text.count(">Vencida<") == 1 and 'href="/t/alpha/reports/roadmap.pdf"' in page.text
    assert 'href="/t/alpha/reports/roadmap"' in observer.get("/").text  # linked from the dashboard


def test_the_arabic_report_runs_right_to_left(client, env):
    roadmap(client, env, "gamma", AR, ("DEMO-SMUGGLING-ROUTES", "TIP"))
    member = sign_in(client, env, "gamma", "ngo", locale="ar")
    lines = pdf_lines(download(member))
    text = "\n".join(logical(line) for *_, line in lines)
    assert "تقرير خارطة الطريق" in text
    assert f"{AR[0]} — متأخر" in text and f"{AR[1]} — متأخر" not in text and f"{AR[2]} — متأخر" not in text
    assert all(title in text for title in AR)
    assert "مسارات تهريب المهاجرين — أولوية وطنية" in text
    # Right to left: every line ends at the right margin, short ones start far from the left one.
    body = [(x0, x1, width) for x0, x1, width, line in lines if not line.isdigit()]
    assert all(abs(x1 - (width - MARGIN)) < 4 for _, x1, width in body)
    assert any(x0 > MARGIN + 100 for x0, _, _ in body)

    page = member.get("/reports/roadmap")
    assert page.status_code == 200 and '<html lang="ar" dir="rtl">' in page.text
    assert all(title in page.text for title in AR) and "تقرير خارطة الطريق" in page.text
    assert page.text.count(">متأخر<") == 1 and "أكده government@gamma.test في " in page.text


def test_only_signed_in_members_of_the_tenant_get_the_report(client, env):
    for path in ("/reports/roadmap", "/reports/roadmap.pdf"):
        response = Browser(client, "alpha").get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/t/alpha/login")
        gamma = sign_in(client, env, "gamma", "coordinator")
        stolen = Browser(client, "alpha")
        stolen.cookies = dict(gamma.cookies)
        response = stolen.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/t/alpha/login")
        for role in ("coordinator", "government", "ngo", "observer"):
            assert sign_in(client, env, "alpha", role).get(path).status_code == 200
