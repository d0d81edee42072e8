"""Browser: an inventor submits a 技术交底, the TTO evaluates it and files; the 申请号 puts it in the 基础库."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from engine.identifiers.application_number import check_character
from panhuo.disclosures.models import Disclosure, DisclosureState
from panhuo.patents.models import InventoryRecord
from tests.browser.test_inventory_flow import browser_page, login, logout

__all__ = ["browser_page"]  # the fixture, shared with the inventory flow


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_disclosure_evaluation_filing_in_chromium(
    audit_triggers_lifted_at_teardown, browser_page, live_server, university, inventor, institution_admin
):
    page = browser_page
    base = live_server.url

    # 1. the inventor fills the disclosure; a wrong share total is refused with the input kept
    login(page, base, inventor.username)
    page.goto(f"{base}/disclosures/")
    page.click("#new-disclosure")
    page.fill("#id_title", "一种柔性压力传感器及其制备方法")
    page.fill("#id_field", "柔性电子")
    page.fill("#id_problem", "现有压力传感器柔性差。")
    page.fill("#id_solution", "以银纳米线与弹性体复合制备敏感层。")
    page.fill("#id_inventors", "张三 60\n李四 30")
    page.select_option("#id_funding_source", "fiscal")
    page.fill("#id_funding_projects", "2024YFA1200100")
    page.click("#submit-disclosure")
    page.wait_for_load_state()
    assert "发明人贡献比例合计应为 100%，现为 90%" in page.content()
    assert page.input_value("#id_title") == "一种柔性压力传感器及其制备方法"
    page.fill("#id_inventors", "张三 60\n李四 40")
    page.click("#submit-disclosure")
    page.wait_for_load_state()
    assert page.inner_text("#disclosure-state") == "待评估"
    logout(page)
    disclosure = Disclosure.objects.get()

    # 2. the 学校 admin searches similar patents, decides to file an invention and records the filing
    login(page, base, institution_admin.username)
    page.goto(f"{base}/disclosures/{disclosure.pk}/")
    page.click("#search-similar")
    page.wait_for_load_state()
    assert "检索时间" in page.content()
    page.fill("#id_novelty_notes", "未检索到相同方案")
    page.fill("#id_market_prospects", "可穿戴设备厂商需求大")
    page.select_option("#id_decision", "file_invention")
    page.fill("#id_reasons", "新颖且有企业意向")
    page.fill("#id_deadline", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.click("#save-decision")
    page.wait_for_load_state()
    assert page.inner_text("#decision") == "申请发明专利"
    body = "202410765432"
    page.fill("#id_filed_on", timezone.localdate().isoformat())
    page.fill("#id_agency", "甲专利代理所")
    page.fill("#id_app_no", f"CN{body}.{check_character(body)}")
    page.click("#record-filing")
    page.wait_for_load_state()
    assert page.inner_text("#disclosure-state") == "已申请"
    assert f"{body}.{check_character(body)}" in page.inner_text("#app-no")
    logout(page)

    disclosure.refresh_from_db()
    assert disclosure.state == DisclosureState.FILED
    record = InventoryRecord.objects.get(
        organization=university, patent__app_no=f"{body}.{check_character(body)}"
    )
    assert record.patent.title == "一种柔性压力传感器及其制备方法" and record.fiscal_funded is True
