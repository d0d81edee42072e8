"""Browser: the office's 奖补方案 and 事前资助 pages and the holder's self-evaluation, at 1440 px and at a 390 px phone.

Same checks as the other journeys (tests/browser/test_journeys.py): no unexpected error response, no console error,
no raw identifier on screen, nothing wider than the phone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from panhuo.programmes import projects as project_services
from panhuo.programmes import services
from panhuo.programmes.models import FundedProject, ProjectStatus
from tests.browser.test_journeys import DESKTOP, PHONE, browser, screens  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def funded(office_user, enterprise, enterprise_user):
    enterprise.region_code = "500107"
    enterprise.save(update_fields=["region_code"])
    office_user.display_name, enterprise_user.display_name = "孙科长", "王经理"
    office_user.save(update_fields=["display_name"])
    enterprise_user.save(update_fields=["display_name"])
    services.scheme_load_preset(actor=office_user, preset="cq-gxq-transfer-licence")
    services.scheme_load_preset(actor=office_user, preset="jl-pledge-financing")
    return project_services.project_create(
        actor=office_user, code="GXQ-2026-01", name="中小企业专利转化能力提升项目", holder_id=enterprise.pk,
        amount_yuan="100,000", start=date(2026, 1, 1), end=date(2026, 12, 31),
        targets=[{"name": "接受高校院所专利转让许可次数", "unit": "次", "target": "5"},
                 {"name": "质押融资金额", "unit": "wan_yuan", "target": "200"}],
    )  # fmt: skip


def test_office_and_holder_journey(
    screens: Any,  # noqa: F811 - the imported fixture
    funded: FundedProject,
    office_user: Any,
    enterprise_user: Any,
) -> None:
    for viewport in (DESKTOP, PHONE):
        office = screens(viewport, office_user.username)
        for path in (
            "/programmes/schemes/",
            "/programmes/schemes/cq-gxq-transfer-licence/",
            "/programmes/schemes/cq-gxq-transfer-licence/edit/",
            "/programmes/schemes/new/",
            "/programmes/pledge-figures/",
            "/programmes/projects/",
            "/programmes/projects/new/",
            f"/programmes/projects/{funded.pk}/",
            "/monitoring/subsidies/",
        ):
            office.visit(path)
        office.close()

    holder = screens(PHONE, enterprise_user.username)
    holder.visit(f"/programmes/projects/{funded.pk}/")
    t1, t2 = funded.targets.all()
    holder.page.fill(f"[name=actual_{t1.pk}]", "6")
    holder.page.fill(f"[name=actual_{t2.pk}]", "abc")  # refused, the rest of the input kept
    holder.page.fill("[name=self_evaluation]", "完成受让 6 次。")
    holder.allowed.add((f"/programmes/projects/{funded.pk}/", 400))
    holder.page.click("#submit-evaluation")
    holder.check()
    assert "质押融资金额：金额格式不正确：abc" in holder.page.inner_text("main")
    assert holder.page.input_value(f"[name=actual_{t1.pk}]") == "6"
    assert holder.page.input_value("[name=self_evaluation]") == "完成受让 6 次。"
    holder.page.fill(f"[name=actual_{t2.pk}]", "150")
    holder.page.click("#submit-evaluation")
    holder.check()
    assert "已提交自评" in holder.page.inner_text("main")
    holder.close()
    funded.refresh_from_db()
    assert funded.status == ProjectStatus.SUBMITTED
