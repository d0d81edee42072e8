"""Browser: an inventor files 建档 and submits, the 学院 then the 学校 admin approve, the patent is in the pool.

Drives Debian's chromium (/usr/bin/chromium) through Playwright against pytest-django's live_server;
never downloads a browser.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import STRONG_PASSWORD
from panhuo.patents.assignment import inventory_open
from panhuo.patents.models import InventoryState, Patent, PatentType

# Playwright's sync API runs an event loop in this thread; Django's ORM calls here are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#username", username)
    page.fill("#password", STRONG_PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state()
    assert "/accounts/login" not in page.url, page.content()[:2000]


def logout(page) -> None:
    page.click("#logout")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_inventory_flow_in_chromium(
    audit_triggers_lifted_at_teardown,
    browser_page,
    live_server,
    university,
    inventor,
    college_admin,
    institution_admin,
    enterprise_user,
):
    page = browser_page
    base = live_server.url
    patent = Patent.objects.create(
        pub_no="CN112345678",
        pub_kind="B",
        patent_type=PatentType.INVENTION,
        title="一种固态电解质薄膜的制备方法",
        abstract="本发明涉及锂电池固态电解质。",
        ipc_main="H01M 10/0562",
        ipc_section="H",
        ipc_class="H01",
    )
    record = inventory_open(
        organization=university,
        patent=patent,
        college=university.colleges.get(code="CS"),
        inventor_users=[inventor],
    )

    # 1. the inventor finds the patent, fills 建档 and submits it
    login(page, base, inventor.username)
    page.goto(f"{base}/patents/?q=固态电解质")
    page.click(f"tr[data-record='{record.pk}'] a")
    page.click(f"#fill-{record.pk}")
    page.fill("#id_first_inventor", "张三")
    page.select_option("#id_fiscal_funded", "yes")
    page.select_option("#id_implementation_status", "not_implemented")
    page.select_option("#id_conversion_intent", "yes")
    page.check("input[name=conversion_modes][value=licence]")
    page.check("input[name=conversion_modes][value=transfer]")
    page.select_option("#id_trl", "5")
    page.select_option("#id_value_self_grade", "B")
    page.fill("#id_application_scenarios", "固态电池中试线")
    page.fill("#id_contact_phone", "13812341234")
    page.click("#save-submit")
    page.wait_for_load_state()
    assert page.inner_text(f"#state-{record.pk}") == "待学院审核"
    logout(page)

    # 2. the 学院 admin approves from the review queue
    login(page, base, college_admin.username)
    page.goto(f"{base}/patents/review/")
    page.fill(f"#comment-{record.pk}", "学院同意")
    page.click(f"#approve-{record.pk}")
    page.wait_for_load_state()
    assert page.locator(f"tr[data-record='{record.pk}']").count() == 0
    logout(page)

    # 3. the 学校 admin approves: the record is pooled
    login(page, base, institution_admin.username)
    page.goto(f"{base}/patents/review/")
    page.click(f"#approve-{record.pk}")
    page.wait_for_load_state()
    logout(page)
    record.refresh_from_db()
    assert record.state == InventoryState.POOLED

    # 4. an enterprise user sees it in the 转化资源库, contact phone masked
    login(page, base, enterprise_user.username)
    page.goto(f"{base}/patents/pool/")
    row = page.locator(f"tr[data-record='{record.pk}']")
    assert row.count() == 1 and "一种固态电解质薄膜的制备方法" in row.inner_text()
    row.locator("a").click()
    page.wait_for_load_state()
    assert "138****1234" in page.content() and "13812341234" not in page.content()
    assert list(record.history.values_list("action", flat=True)) == ["fill", "submit", "approve", "approve"]


@pytest.mark.django_db
def test_audit_triggers_are_back_after_the_browser_test(university):
    """Runs after the browser test (same module): the append-only triggers were put back after the flush."""
    from django.db import DatabaseError, connection, transaction

    from panhuo.common.models import AuditEvent

    assert AuditEvent.objects.exists()  # creating the university was audited
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM common_auditevent")
