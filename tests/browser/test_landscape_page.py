"""Browser: the 专利导航 page of a saved scope with computed clusters, at desktop width and at a 390 px phone.

Charts are drawn (ECharts canvases), every chart has its table, a figure's link lists exactly its patents,
and at 390 px nothing makes the page wider than the screen.
"""

from __future__ import annotations

import os

import pytest

from panhuo.navigation import services
from panhuo.navigation.models import ClusterRun
from panhuo.navigation.scope import parse_scope
from panhuo.navigation.tests.dataset import build_landscape
from tests.browser.test_inventory_flow import browser_page, login  # noqa: F401 - the fixture
from tests.browser.test_journeys import DESKTOP, PHONE, browser, screens  # noqa: F401 - the fixtures

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_landscape_page_desktop_and_phone(
    audit_triggers_lifted_at_teardown,
    browser_page,  # noqa: F811 - the imported fixture
    live_server,
    make_org,
    make_user,
    width,
    height,  # noqa: F811
):
    data = build_landscape(make_org, make_user)
    admin = data["admin_a"]
    scope = services.scope_save(actor=admin, name="电池导航", definition=parse_scope({"ipc": ["H01M"]}))
    run = ClusterRun.objects.create(scope=scope, definition=scope.definition, requested_by=admin)
    services.clusters_run(run.pk, vectors_from="tfidf")
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    base = live_server.url
    login(page, base, admin.username)
    page.goto(f"{base}/navigation/")
    page.click(f"text={scope.name}")
    page.wait_for_load_state()
    assert page.inner_text("#total-patents") == "5"
    assert page.inner_text("#unknown-year") == "1"
    for chart in ("trend", "types", "holders", "ipc", "clusters", "conversion"):
        page.wait_for_selector(f"[data-chart='{chart}'] canvas")
    assert page.locator("#holder-table tbody tr").count() == 3
    assert page.locator("#cluster-table tbody tr").count() >= 1
    assert "秘密" not in page.content()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the {width}px screen"
    # a figure's link → exactly its patents
    page.click("#holder-table tbody tr:first-child td:nth-child(4) a")
    page.wait_for_load_state()
    assert page.inner_text("#facet-count") == "3"
    assert page.locator("#patent-table tbody tr").count() == 3
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_landscape_compare_and_report_at_1440_and_390_without_raw_identifiers(
    screens,  # noqa: F811 - the imported fixture
    make_org,
    make_user,
):
    """Scopes list, the landscape, a drill-down, the comparison of two regions and the report links at both widths:
    no raw identifier in the visible text, nothing wider than a phone, no 4xx/5xx, the report a real PDF/XLSX."""
    data = build_landscape(make_org, make_user)
    office = data["office"]
    office.display_name = "孙科长"  # the header shows people by name (test usernames are snake_case)
    office.save(update_fields=["display_name"])
    scope = services.scope_save(
        actor=office, name="重庆 锂电导航", definition=parse_scope({"ipc": ["H01M"], "region": "50"})
    )
    run = ClusterRun.objects.create(scope=scope, definition=scope.definition, requested_by=office)
    services.clusters_run(run.pk, vectors_from="tfidf")
    for viewport in (DESKTOP, PHONE):
        screen = screens(viewport, office.username)
        screen.visit("/navigation/")
        screen.visit(f"/navigation/scopes/{scope.pk}/")
        assert screen.page.inner_text("#total-patents") == "4"
        screen.page.wait_for_selector("[data-chart='trend'] canvas")
        screen.visit(f"/navigation/scopes/{scope.pk}/patents/?facet=region&value=outside")
        screen.visit(f"/navigation/compare/?a={scope.pk}&ra=50&rb=44")
        assert "44" in screen.page.inner_text("main")
        screen.visit("/navigation/analyse/?ipc=H01M10%2F00")
        for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK")):
            response = screen.page.request.get(f"{screen.base}/navigation/scopes/{scope.pk}/report.{fmt}")
            assert response.status == 200 and response.body().startswith(magic)
        screen.close()
