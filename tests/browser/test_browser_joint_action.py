"""The life of a joint action in ``mex``, in Spanish, across three members' browsers: a
non-governmental participant creates it (with the Mexico plugin's plan-axis field) and logs
progress; the government and the non-governmental side each confirm completion; the coordinator's
dashboard then counts one more completed action."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from tests.browser.kit import goto_ok, sign_in
from tests.support import REPO_ROOT, translation

AXIS = ("governance", "Governance with justice and citizen participation")
TITLE = "Mesa de trabajo sobre armas de fuego (prueba de navegador)"
NOTE = "Primera reunión técnica celebrada con la Fiscalía."


def completed_on_dashboard(page) -> int:
    """The "completed" count of the joint-actions-by-status chart, from the bar's data attribute,
    checked against the chart's data table."""
    goto_ok(page, "/t/mex/")
    bar = page.locator("#chart-status [data-status='completed'][data-value]").first
    value = int(bar.get_attribute("data-value") or "")
    cell = page.locator("#chart-status table tr[data-status='completed'] td").first
    assert int(cell.text_content() or "") == value, "the chart and its data table disagree"
    return value


def confirm_completion(page, action_path: str) -> None:
    goto_ok(page, action_path)
    with page.expect_navigation():
        page.locator("form[action$='/confirm'] [type=submit]").click()
    assert urlsplit(page.url).path == action_path, page.url
    assert page.locator(".flash-success").count() == 1


def test_a_joint_action_confirmed_by_both_sides_counts_as_completed(new_context):
    coordinator = sign_in(new_context(locale="es-MX"), "mex", "coordinator")
    before = completed_on_dashboard(coordinator)

    # The non-governmental participant creates the action, in Spanish, with the plugin field.
    ngo = sign_in(new_context(locale="es-MX"), "mex", "ngo", "/actions/new")
    assert ngo.locator("html").get_attribute("lang") == "es"
    axis_label = ngo.locator("label[for='f-mx_pnd_axis']").inner_text()
    assert "Plan Nacional de Desarrollo" in axis_label, axis_label
    ngo.fill("#f-title", TITLE)
    ngo.fill("#f-description", "Acción conjunta creada por las pruebas de navegador.")
    ngo.select_option("#f-mx_pnd_axis", AXIS[0])
    with ngo.expect_navigation():
        ngo.locator("main form [type=submit]").click()
    action_path = urlsplit(ngo.url).path
    assert action_path.rsplit("/", 1)[-1].isdigit(), f"not on the new action: {ngo.url}"
    assert ngo.locator("main h1").first.inner_text().startswith(TITLE)
    axis_es = translation("es", AXIS[1], REPO_ROOT / "plugins" / "mexico" / "locales")
    assert axis_es in ngo.locator("main").inner_text()

    # A progress update joins the timeline.
    progress = ngo.locator("form[action$='/progress']")
    progress.locator("input[name=on_date]").fill(date.today().isoformat())
    progress.locator("textarea[name=note]").fill(NOTE)
    with ngo.expect_navigation():
        progress.locator("[type=submit]").click()
    assert NOTE in ngo.locator("main").inner_text()

    # Completion needs both sides: the government first (still not completed), then the NGO.
    government = sign_in(new_context(locale="es-MX"), "mex", "government")
    confirm_completion(government, action_path)
    assert completed_on_dashboard(coordinator) == before
    confirm_completion(ngo, action_path)

    assert completed_on_dashboard(coordinator) == before + 1
