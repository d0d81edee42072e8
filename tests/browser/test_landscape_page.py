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
