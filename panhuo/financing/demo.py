"""Demo 质押融资 (labelled demo): applications of the demo enterprise (or, where it holds too few patents, the demo
university) to the demo bank in every state, and one to a second demo bank, so the bank's inbox, the office
statistics by bank and region, and the pledged patents in the rights record all have something to show.
Idempotent: nothing is added while a demo application exists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from panhuo.accounts.models import Organization, User
from panhuo.common.errors import ApplicationError
from panhuo.deals.services.pledge import pledge_conflicts
from panhuo.evaluation.models import Scenario, ValueScore
from panhuo.financing.models import OPEN_STATES, PledgeApplication, PledgePatent, ValuationSource
from panhuo.financing.services import (
    Report,
    application_decide,
    application_register,
    application_repay,
    application_submit,
    application_withdraw,
)
from panhuo.patents.models import Patent
from panhuo.patents.rights.models import PatentHolder

DEMO_PDF = b"%PDF-1.4\n% Panhuo demo appraisal report, not a real appraisal\n%%EOF\n"
# (status reached, bank: 0 demo bank / 1 second bank, amount in yuan, months)
PLAN = (
    ("submitted", 0, "3000000", 12),
    ("more_info", 0, "5000000", 24),
    ("approved", 0, "2000000", 12),
    ("rejected", 0, "8000000", 36),
    ("registered", 0, "4000000", 24),
    ("repaid", 0, "1500000", 12),
    ("withdrawn", 0, "1000000", 12),
    ("registered", 1, "2500000", 12),
)


def _free_patents(org: Organization) -> list[Patent]:
    held = PatentHolder.objects.filter(organization=org, active=True).values("patent_id")
    shared = PatentHolder.objects.filter(active=True).exclude(organization=org).values("patent_id")
    busy = PledgePatent.objects.filter(application__status__in=OPEN_STATES).values("patent_id")
    scored = ValueScore.objects.filter(scenario=Scenario.FINANCE).values("patent_id")
    qs = Patent.objects.filter(pk__in=held).exclude(pk__in=shared).exclude(pk__in=busy).filter(pk__in=scored)
    today = timezone.localdate()
    return [p for p in qs.order_by("pk")[:200] if not pledge_conflicts([p.pk], on=today)]


def load(out: Any) -> None:
    if PledgeApplication.objects.filter(is_demo=True).exists():
        out.write("financing: demo applications exist, nothing added")
        return
    bank_user = User.objects.filter(username="demo_bank").select_related("organization").first()
    if bank_user is None or bank_user.organization is None:
        out.write("financing: no demo bank account, nothing added")
        return
    second_user = User.objects.filter(username="demo_bank2").select_related("organization").first()
    if second_user is None or second_user.organization is None:
        out.write("financing: no second demo bank account, nothing added")
        return
    second = second_user.organization
    applicants = [
        u
        for u in User.objects.filter(
            username__in=("demo_enterprise", "demo_institution_admin")
        ).select_related("organization")
    ]
    applicants.sort(key=lambda u: u.username != "demo_enterprise")
    pool: list[tuple[User, Patent]] = []
    for u in applicants:
        pool += [(u, p) for p in _free_patents(u.organization)]  # type: ignore[arg-type]
    if len(pool) < len(PLAN):
        out.write(f"financing: only {len(pool)} free held patents with scores, nothing added")
        return
    today = timezone.localdate()
    banks = [(bank_user.organization, bank_user), (second, second_user)]
    n = 0
    for i, ((target, b, amount, months), (applicant, patent)) in enumerate(zip(PLAN, pool, strict=False)):
        try:
            bank, banker = banks[b]
            appraisal = i % 2 == 1
            app = application_submit(
                actor=applicant,
                bank_id=bank.pk,
                patent_keys=[patent.key],
                amount_yuan=amount,
                term_months=months,
                purpose="演示数据：购置生产设备、补充流动资金",
                valuation_source=ValuationSource.APPRAISAL if appraisal else ValuationSource.PLATFORM,
                valuation_yuan=str(int(amount) * 2) if appraisal else "",
                appraiser="示范资产评估有限公司（演示）" if appraisal else "",
                report=Report("演示评估报告.pdf", DEMO_PDF) if appraisal else None,
                is_demo=True,
            )
            if target == "withdrawn":
                application_withdraw(actor=applicant, application_id=app.pk)
            elif target == "more_info":
                application_decide(
                    actor=banker,
                    application_id=app.pk,
                    decision="more_info",
                    note="请补充近两年财务报表和专利实施证明",
                )
            elif target == "rejected":
                application_decide(
                    actor=banker,
                    application_id=app.pk,
                    decision="reject",
                    note="出质专利剩余有效期较短，评估价值不足以覆盖申请金额",
                )
            elif target in ("approved", "registered", "repaid"):
                start = today - timedelta(days=200 if target == "repaid" else 30)
                application_decide(
                    actor=banker,
                    application_id=app.pk,
                    decision="approve",
                    amount_yuan=str(int(amount) * 9 // 10),
                    rate_percent="3.85",
                    term_months=months,
                    premium_yuan="12000",
                    loan_start=start,
                    note="同意，按评估价值 50% 授信",
                )
                if target in ("registered", "repaid"):
                    application_register(
                        actor=banker,
                        application_id=app.pk,
                        registration_no=f"Y{today.year}990000{i:04d}",
                        registration_date=today,
                    )
                if target == "repaid":
                    application_repay(
                        actor=banker, application_id=app.pk, repaid_on=today, interest_paid_yuan="27000"
                    )
        except ApplicationError as exc:  # a patent the demo cannot pledge: say so, go on with the others
            out.write(f"financing: {patent.key} skipped: {exc.message_zh}")
            continue
        n += 1
    out.write(f"financing: {n} demo applications (bank accounts demo_bank, demo_bank2)")
