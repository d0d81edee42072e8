"""Browser: a college admin writes a 典型案例 on a phone (all errors at once, input kept) and submits it; the
institution admin publishes it; the public front door lists it; an office publishes an event; an enterprise user on a
phone finds it through the menu and registers. Each page is checked for raw identifiers and, on the phone, width."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from panhuo.community.models import CaseState, CaseStudy, EventRegistration
from tests.browser.test_journeys import DESKTOP, PHONE, Screen, browser, screens

__all__ = ["browser", "screens"]  # fixtures shared with the role journeys

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _local(dt: Any) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_publish_a_case_and_register_for_an_event(
    screens, university, college_admin, institution_admin, office_user, enterprise_user
):
    for user, name in ((college_admin, "李秘书"), (institution_admin, "陈老师"), (office_user, "孙科长"),
                       (enterprise_user, "赵经理")):  # fmt: skip
        user.display_name = name
        user.save(update_fields=["display_name"])

    # 1. the college admin, on a phone, writes a case: an empty submit shows every error with the input kept
    writer: Screen = screens(PHONE, college_admin.username)
    writer.allowed.add(("/community/cases/new/", 400))
    writer.visit("/community/cases/")
    writer.page.click("#new-case")
    writer.page.fill("#id_title", "先使用后付费许可助力中小企业")
    writer.page.fill("#id_contract", "三十万")
    writer.page.click("#save-case")
    writer.page.wait_for_load_state()
    writer.check()
    body = writer.page.inner_text("body")
    assert "请选择案例类型" in body and "请填写摘要" in body and "合同金额：" in body
    assert writer.page.input_value("#id_title") == "先使用后付费许可助力中小企业"
    writer.page.select_option("#id_category", "mode")
    writer.page.fill("#id_summary", "学校以先使用后付费方式许可巡检机器人专利。")
    writer.page.fill("#id_contract", "300,000")
    writer.page.click("#save-case")
    writer.page.wait_for_load_state()
    writer.check()
    assert writer.page.inner_text("#case-state") == "草稿"
    writer.page.click("#submit-case")
    writer.page.wait_for_load_state()
    assert writer.page.inner_text("#case-state") == "待审核"
    writer.close()
    case = CaseStudy.objects.get()

    # 2. the institution admin publishes it from the review list
    reviewer: Screen = screens(DESKTOP, institution_admin.username)
    reviewer.visit("/community/cases/")
    reviewer.page.click(f"#cases-to-review a[href='/community/cases/{case.pk}/']")
    reviewer.page.wait_for_load_state()
    reviewer.page.click("#publish-case")
    reviewer.page.wait_for_load_state()
    reviewer.check()
    assert reviewer.page.inner_text("#case-state") == "已发布"
    reviewer.close()
    case.refresh_from_db()
    assert case.state == CaseState.PUBLISHED

    # 3. the office publishes a 路演 with a 390 px check of the form
    office: Screen = screens(DESKTOP, office_user.username)
    office.visit("/community/events/")
    office.page.click("#new-event")
    start = timezone.now() + timedelta(days=7)
    office.page.select_option("#id_kind", "roadshow")
    office.page.fill("#id_title", "高价值专利路演推介会")
    office.page.fill("#id_starts_at", _local(start))
    office.page.fill("#id_ends_at", _local(start + timedelta(hours=2)))
    office.page.fill("#id_place", "线上会议室 8801")
    office.page.fill("#id_capacity", "50")
    office.page.fill("#id_registration_closes_at", _local(start - timedelta(days=1)))
    office.page.click("#save-event")
    office.page.wait_for_load_state()
    office.check()
    assert "高价值专利路演推介会" in office.page.inner_text("h1")
    office.close()

    # 4. an enterprise user on a phone opens 对接活动 from the menu, registers, and sees the registration
    guest: Screen = screens(PHONE, enterprise_user.username)
    guest.visit("/")
    guest.page.click("#nav-toggle")
    guest.page.click("#site-nav >> text=对接活动")
    guest.page.wait_for_load_state()
    guest.check()
    guest.page.click("#upcoming-events >> text=高价值专利路演推介会")
    guest.page.wait_for_load_state()
    guest.page.click("#register")
    guest.page.wait_for_load_state()
    guest.check()
    assert "您已报名" in guest.page.inner_text("#my-registration")
    assert guest.page.inner_text("#registered") == "1"
    guest.close()
    assert EventRegistration.objects.filter(user=enterprise_user).count() == 1

    # 5. anyone: the front door lists the published case and opens it
    public: Screen = screens(PHONE, enterprise_user.username)
    public.page.click("#logout")
    public.page.wait_for_load_state()
    public.visit("/public/")
    public.page.click("text=先使用后付费许可助力中小企业")
    public.page.wait_for_load_state()
    public.check()
    assert "300,000.00" in public.page.inner_text("#case-figures")
    public.close()
