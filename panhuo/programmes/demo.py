"""Demo programmes (labelled demo) for the demo office (重庆市, 500000): the subsidy presets as schemes (one revised,
so the version history has two entries), pledge-loan figures on the demo pledges, and three 事前资助 projects
after the seed's 二(一)2 and 二(一)3 (one funded, one self-evaluated, one accepted). Idempotent."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from django.utils import timezone

from engine.deals.money import format_fen
from engine.programmes import presets
from panhuo.accounts.models import Organization, User
from panhuo.deals.models import CONTRACT_STATES, Deal, DealKind
from panhuo.programmes import projects as project_services
from panhuo.programmes import services
from panhuo.programmes.models import FundedProject, PledgeLoanFigures, SubsidyScheme

CQ_PROJECTS = (
    "shared/seeds/003_1d693d9969cc8619.txt 二(一) 专利转化支持项目 (重庆高新区实施专利转化专项计划工作方案)"
)


def _schemes(office: User) -> int:
    n = 0
    for code in ("cq-gxq-transfer-licence", "cq-gxq-pledge", "jl-pledge-financing", "sh-service-team"):
        if not SubsidyScheme.objects.filter(code=code).exists():
            services.scheme_load_preset(actor=office, preset=code, is_demo=True)
            n += 1
    scheme = SubsidyScheme.objects.get(code="jl-pledge-financing")
    if scheme.current_version == 1:
        d = copy.deepcopy(presets.JL_PLEDGE_FINANCING)
        d["name"] = "质押融资贴息与保费补助（演示：按本地通知调整）"
        d["rules"][0]["rate_ppm"] = 400_000
        d["rules"][0]["label"] = "贴息：实际支付利息的 40%，每笔不超过 20 万元"
        services.scheme_revise(actor=office, code=scheme.code, definition=d, note="演示：贴息比例调整为 40%")
    return n


def _figures(office: User) -> None:
    for i, deal in enumerate(
        Deal.objects.filter(is_demo=True, kind=DealKind.PLEDGE, state__in=CONTRACT_STATES).order_by("pk")
    ):
        if not PledgeLoanFigures.objects.filter(deal=deal).exists():
            interest = deal.contract_amount_fen * 38 // 1000  # about a year at 3.8%
            services.pledge_figures_record(
                actor=office,
                deal_id=deal.pk,
                interest_paid_yuan=format_fen(interest),
                premium_paid_yuan="12,000.00" if i % 2 == 0 else "",
                annual_rate_percent="3.8",
                paid_until=timezone.localdate().replace(day=1),
                is_demo=True,
            )


def _projects(office: User, year: int) -> int:
    uni = Organization.objects.filter(code="DEMO-UNI-2").first()
    ent = Organization.objects.filter(code="DEMO-ENT-1").first()
    inst = Organization.objects.filter(code="DEMO-INST-1").first()
    specs: list[tuple[str, Organization | None, str, str, str, list[dict[str, str]]]] = [
        (f"DEMO-SQ-{year}-01", uni, "高校院所专利转化促进项目（演示）", "高校院所专利转化促进项目", "300,000", [
            {"name": "对接服务中小微企业接受专利转让许可次数", "unit": "次", "target": "20"},
            {"name": "接受转让许可的区内中小微企业数量", "unit": "家", "target": "6"},
            {"name": "发明专利申请量", "unit": "件", "target": "10"},
            {"name": "通过开放许可达成的专利许可数量", "unit": "件", "target": "5"},
        ]),
        (f"DEMO-SQ-{year}-02", ent, "中小企业专利转化能力提升项目（演示）", "中小企业专利转化能力提升项目", "100,000", [
            {"name": "接受高校院所专利转让许可次数", "unit": "次", "target": "5"},
            {"name": "专利质押融资/作价入股金额", "unit": "wan_yuan", "target": "200"},
            {"name": "专利产品备案数量", "unit": "件", "target": "5"},
        ]),
        (f"DEMO-SQ-{year}-03", inst, "院所专利转化促进项目（演示，已验收）", "高校院所专利转化促进项目", "250,000", [
            {"name": "实施单位转让许可专利数量", "unit": "件", "target": "20"},
            {"name": "转让许可专利占有效专利的比例", "unit": "bp", "target": "2"},
        ]),
    ]  # fmt: skip
    n = 0
    for code, holder, name, category, amount, targets in specs:
        if holder is None or FundedProject.objects.filter(code=code).exists():
            continue
        project_services.project_create(
            actor=office, code=code, name=name, holder_id=holder.pk, amount_yuan=amount,
            start=date(year, 1, 1), end=date(year, 12, 31), targets=targets, category=category,
            source=CQ_PROJECTS, is_demo=True,
        )  # fmt: skip
        n += 1
    ent_user = User.objects.filter(username="demo_enterprise").first()
    p2 = FundedProject.objects.filter(code=f"DEMO-SQ-{year}-02", status="funded").first()
    if p2 is not None and ent_user is not None:
        values = {"次": "6", "wan_yuan": "150", "件": "5"}
        project_services.project_self_evaluate(
            actor=ent_user, project_id=p2.pk,
            actuals={t.pk: values[t.unit] for t in p2.targets.all()},
            self_evaluation="完成受让高校院所专利 6 次、专利产品备案 5 件；质押融资到位 150 万元，未达 200 万元目标，原因是第二笔贷款延至次年放款。",
        )  # fmt: skip
    p3 = FundedProject.objects.filter(code=f"DEMO-SQ-{year}-03", status="funded").first()
    if p3 is not None:
        # the institute's self-evaluation entered for the demo by the office's own data (no institute account)
        for t in p3.targets.all():
            t.actual = {"件": 23, "bp": 240}[t.unit]
            t.save(update_fields=["actual"])
        FundedProject.objects.filter(pk=p3.pk).update(
            status="submitted",
            self_evaluation="转让许可专利 23 件，占有效专利 2.40%。（演示）",
            submitted_at=timezone.now(),
        )
        project_services.project_accept(
            actor=office, project_id=p3.pk, decision="passed", reason="各项绩效目标均已完成。"
        )
    return n


def load(out: Any) -> None:
    office = User.objects.filter(username="demo_office").first()
    if office is None:
        out.write("  programmes demo: demo_office missing (run the accounts demo first)")
        return
    schemes = _schemes(office)
    _figures(office)
    projects = _projects(office, timezone.localdate().year)
    out.write(f"  programmes demo: {schemes} schemes loaded, {projects} funded projects")
