"""Each role's main journey in chromium at 1440×900 and 390×844 (Debian's /usr/bin/chromium, never downloaded).

On every page: no response ≥ 400 except the ones the journey provokes, no console error, no raw identifier in
the visible text (tests/browser/raw_identifiers.py) and, on the phone, nothing wider than the screen. One
browser serves the whole module; each journey opens one context per screen size and signs in once in each.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import STRONG_PASSWORD
from panhuo.deals.models import DealKind, DealState, LicenceType
from panhuo.deals.services import deal_create
from panhuo.demand.models import CooperationRequest
from panhuo.monitoring.models import AnomalyCase
from panhuo.patents.assignment import inventory_open
from panhuo.patents.models import InventoryRecord, InventoryState, Patent, PatentType
from tests.browser.raw_identifiers import raw_identifiers
from tests.browser.test_inventory_flow import ARGS, CHROMIUM

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


class Screen:
    """One signed-in browser context at one size; records what went wrong on each page."""

    def __init__(self, browser: Any, base: str, viewport: dict[str, int]) -> None:
        self.base = base
        self.phone = viewport["width"] < 500
        self.context = browser.new_context(locale="zh-CN", viewport=viewport)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems: list[str] = []
        self.allowed: set[tuple[str, int]] = set()  # (path, status) the journey provokes on purpose
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.on("dialog", lambda dialog: dialog.accept())

    def _console(self, message: Any) -> None:
        if message.type == "error" and "status of 400" not in message.text:
            self.problems.append(f"console: {message.text}")

    def _response(self, response: Any) -> None:
        path = response.url.removeprefix(self.base).split("?")[0]
        if response.status >= 400 and (path, response.status) not in self.allowed:
            self.problems.append(f"{response.status} {path}")

    def login(self, username: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("#username", username)
        self.page.fill("#password", STRONG_PASSWORD)
        self.page.click("#login-submit")
        self.page.wait_for_load_state()
        assert "/accounts/login" not in self.page.url

    def visit(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.check()

    def check(self) -> None:
        """The page as it is now: visible text without raw identifiers; on a phone, no sideways scrolling."""
        self.page.wait_for_load_state("networkidle")
        where = self.page.url.removeprefix(self.base)
        raw = raw_identifiers(self.page.inner_text("body"))
        if raw:
            self.problems.append(f"raw identifiers on {where}: {raw[:5]}")
        if self.phone:
            width = self.page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                self.problems.append(f"{where} is {width} px wide on a 390 px screen")

    def close(self) -> None:
        self.context.close()
        assert self.problems == []


@pytest.fixture
def screens(browser: Any, live_server: Any, audit_triggers_lifted_at_teardown: None) -> Iterator[Any]:
    opened: list[Screen] = []

    def open_screen(viewport: dict[str, int], username: str) -> Screen:
        screen = Screen(browser, live_server.url, viewport)
        opened.append(screen)
        screen.login(username)
        return screen

    yield open_screen
    for screen in opened:
        screen.context.close()


@pytest.fixture
def world(university, institution_admin, inventor, enterprise_user, office_user):
    """Patents of 甲大学: one unfiled for the inventor, pooled ones with only a 公开（公告）号, a deal, a case."""
    cs = university.colleges.get(code="CS")
    for user, name in ((institution_admin, "李老师"), (enterprise_user, "王经理"), (office_user, "孙科长")):
        user.display_name = name  # the header shows people by name (test usernames are snake_case)
        user.save(update_fields=["display_name"])
    mine = Patent.objects.create(
        app_no="201710601862.3", pub_no="CN107423234", pub_kind="A", patent_type=PatentType.INVENTION,
        title="一种锂电池极片缺陷检测方法", abstract="基于机器视觉的极片检测。", ipc_main="H01M 4/04",
    )  # fmt: skip
    inventory_open(organization=university, patent=mine, college=cs, inventor_users=[inventor])
    pooled = []
    for n, title in enumerate(["一种光伏支架", "一种光伏组件清洁机器人", "一种储能电池热管理系统"]):
        patent = Patent.objects.create(
            pub_no=f"CN21574989{n}", pub_kind="U", grant_no=f"CN21574989{n}U", patent_type=PatentType.UTILITY,
            title=title, abstract="本实用新型公开了一种装置。", ipc_main="H02S 20/30",
            application_date=date(2021, 3, 1), grant_date=date(2021, 12, 1),
        )  # fmt: skip
        InventoryRecord.objects.create(
            organization=university, patent=patent, college=cs, state=InventoryState.POOLED,
            pooled_at=timezone.now(), conversion_intent=True, conversion_modes=["licence"], trl=6,
        )  # fmt: skip
        pooled.append(patent)
    for n in range(2):
        patent = Patent.objects.create(
            pub_no=f"CN11000000{n}",
            pub_kind="A",
            patent_type=PatentType.INVENTION,
            title=f"一种待审核的检测装置{n}",
        )
        InventoryRecord.objects.create(
            organization=university, patent=patent, college=cs, state=InventoryState.INSTITUTION_REVIEW,
            submitted_at=timezone.now() - timedelta(days=n + 1), trl=5, value_self_grade="B",
        )  # fmt: skip
    deal = deal_create(
        actor=institution_admin, kind=DealKind.LICENCE, title="光伏支架普通许可", patents=[pooled[0]],
        counterparties=[(enterprise_user.organization, "licensee")], licence_type=LicenceType.ORDINARY,
        contract_amount_fen=1_000_000, state=DealState.SIGNED,
    )  # fmt: skip
    case = AnomalyCase.objects.create(
        rule="retransfer", fingerprint="retransfer:1", deal_ids=[deal.pk], patents=[pooled[0].key],
        parties=["甲大学", "丙科技有限公司"], region_code="500107", confidence=0.9,
        evidence={"path": ["甲大学", "丙科技有限公司", "甲大学"], "days": 40, "returned_to_origin": True,
                  "dates": ["2026-01-05", "2026-02-14"]},
    )  # fmt: skip
    return {"mine": mine, "pooled": pooled, "deal": deal, "case": case}


def test_inventor_journey(screens, world, inventor):
    record = world["mine"].inventory_records.get()
    for viewport in (DESKTOP, PHONE):
        screen = screens(viewport, inventor.username)
        screen.visit("/patents/")
        screen.visit(f"/patents/{world['mine'].pk}/")
        screen.visit(f"/patents/inventory/{record.pk}/fill/")
        screen.close()


def test_institution_admin_journey(screens, world, institution_admin):
    desktop = screens(DESKTOP, institution_admin.username)
    page = desktop.page
    # the review queue: search, then batch-approve both waiting records (the page asks first)
    desktop.visit("/patents/review/?q=检测装置")
    page.check("#select-all")
    page.click("#batch-approve")
    desktop.check()
    assert "已批量通过 2 条" in page.inner_text("main")
    # the deal form: a patent picked by typing part of its 公开号; the kind's sections only
    desktop.visit("/deals/new/")
    page.select_option("#id_kind", "transfer")
    assert page.is_hidden("#section-licence") and page.is_visible("#section-party")
    page.fill("#pick_patents", "2157498")
    page.click("#picks_patents .picker-item:has-text('一种光伏支架')")
    assert page.input_value("#id_patents") == world["pooled"][0].key
    page.fill("#id_contract_amount", "12,000.50")
    desktop.allowed.add(("/deals/new/", 400))
    page.click("#deal-save")  # no title: refused on the same form, the patent and amount still there
    desktop.check()
    assert (
        "请填写交易名称" in page.inner_text("#deal-form")
        and page.input_value("#id_contract_amount") == "12,000.50"
    )
    page.fill("#id_title", "光伏支架转让")
    page.click("#deal-save")
    desktop.check()
    assert "已创建交易" in page.inner_text("main")
    desktop.close()
    phone = screens(PHONE, institution_admin.username)
    phone.visit("/patents/review/")
    phone.visit("/deals/new/")
    phone.visit(f"/deals/{world['deal'].pk}/")
    phone.close()


def test_enterprise_journey(screens, world, enterprise_user):
    target = world["pooled"][1]
    desktop = screens(DESKTOP, enterprise_user.username)
    page = desktop.page
    desktop.visit("/patents/pool/")
    desktop.visit(f"/demand/patent/{target.pk}/request/")
    desktop.allowed.add((f"/demand/patent/{target.pk}/request/", 400))
    page.fill("#id_message", "我们希望许可使用该技术")
    page.fill("#id_contact_phone", "1381234abc")
    page.click("#request-send")  # a mistyped phone: the message is still there
    desktop.check()
    assert page.input_value("#id_message") == "我们希望许可使用该技术" and page.is_visible(
        "#error_contact_phone"
    )
    page.fill("#id_contact_phone", "13812341234")
    page.click("#request-send")
    desktop.check()
    sent = CooperationRequest.objects.get(
        patent=target
    )  # the phone is stored encrypted: compare the value read back
    assert sent.contact_phone == "13812341234" and sent.message == "我们希望许可使用该技术"
    desktop.visit("/demand/needs/new/")
    page.fill("#pick_patents", "光伏")
    page.wait_for_selector("#picks_patents .picker-item >> nth=1")
    assert page.locator("#picks_patents .picker-item").count() == 2
    desktop.close()
    phone = screens(PHONE, enterprise_user.username)
    phone.visit("/patents/pool/")
    phone.page.click("#nav-toggle")  # the menu folds away on a phone; 我的收藏 is in it
    phone.page.click("#site-nav >> text=我的收藏")
    phone.check()
    phone.visit(f"/patents/{target.pk}/")
    phone.close()


def test_office_journey(screens, world, office_user):
    for viewport in (DESKTOP, PHONE):
        screen = screens(viewport, office_user.username)
        screen.visit("/monitoring/")
        screen.visit("/monitoring/anomalies/")
        screen.visit(f"/monitoring/anomalies/{world['case'].pk}/")
        text = screen.page.inner_text("main")
        assert "专利在窗口期内转回了最初的权利人。" in text and "甲大学 → 丙科技有限公司 → 甲大学" in text
        screen.close()
