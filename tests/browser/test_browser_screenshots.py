"""Full-page screenshots of the dashboard in Spanish (mex) and in Arabic (demo-ar), kept in the
repository (tests/browser/screenshots/) and linked from the README; rewritten on every run."""

from __future__ import annotations

import pytest

from tests.browser.kit import goto_ok, save_screenshot, sign_in


@pytest.mark.parametrize(
    ("slug", "locale", "name", "direction"),
    [("mex", "es-MX", "dashboard-es.png", "ltr"), ("demo-ar", "ar", "dashboard-ar.png", "rtl")],
)
def test_dashboard_screenshot(new_context, slug, locale, name, direction):
    page = sign_in(new_context(locale=locale, width=1280, height=900), slug, "coordinator")
    goto_ok(page, f"/t/{slug}/")
    assert page.locator("html").get_attribute("dir") == direction
    charts = page.locator("figure.chart svg.chart-svg")
    assert charts.count() >= 3, "the dashboard shows fewer than three charts"
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50, f"chart {index} is not drawn"
    path = save_screenshot(page, name)
    assert path.stat().st_size > 10_000
