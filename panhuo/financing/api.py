"""质押融资 API: list / read applications, submit (platform valuation, or an appraisal report as base64), the
bank's decision, 质押登记 and repayment, and the statistics of an office's region."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from engine.deals.money import format_fen
from panhuo.accounts.acting import acting_user
from panhuo.accounts.visibility import office_prefix
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.financing import selectors, services
from panhuo.financing.models import PledgeApplication, ValuationSource

router = Router()


class ApplicationIn(Schema):
    bank_id: int
    patents: list[str]  # 申请号
    amount_yuan: str
    term_months: int
    purpose: str = ""
    valuation_source: str = ValuationSource.PLATFORM
    valuation_yuan: str = ""
    appraiser: str = ""
    report_name: str = ""
    report_base64: str = ""


class DecisionIn(Schema):
    decision: str  # approve | reject | more_info
    note: str = ""
    amount_yuan: str = ""
    rate_percent: str = ""
    term_months: int | None = None
    premium_yuan: str = ""
    loan_start: date | None = None


class RegistrationIn(Schema):
    registration_no: str
    registration_date: date


class RepaymentIn(Schema):
    repaid_on: date
    interest_paid_yuan: str = ""


class SupplementIn(Schema):
    text: str


class ApplicationOut(Schema):
    id: int
    code: str
    status: str
    status_label: str
    applicant: str
    bank: str
    patents: list[str]
    requested_amount_fen: int
    requested_amount_yuan: str
    requested_term_months: int
    valuation_source: str
    valuation_fen: int | None
    appraiser: str
    platform_scores: list[dict[str, Any]]
    decision_note: str
    approved_amount_fen: int | None
    interest_rate_bp: int | None
    approved_term_months: int | None
    premium_fen: int
    loan_start: date | None
    loan_end: date | None
    registration_no: str
    registration_date: date | None
    repaid_on: date | None
    interest_paid_fen: int | None
    deal_code: str
    submitted_at: datetime | None


class GroupOut(Schema):
    name: str
    applications: int
    approved: int
    approved_fen: int


class StatisticsOut(Schema):
    year: int
    applications: int
    pending: int
    approved: int
    rejected: int
    requested_fen: int
    approved_fen: int
    registered: int
    registered_fen: int
    live: int
    live_fen: int
    by_bank: list[GroupOut]
    by_region: list[GroupOut]


def _out(a: PledgeApplication) -> dict[str, Any]:
    return {
        "id": a.pk,
        "code": a.code,
        "status": a.status,
        "status_label": a.get_status_display(),
        "applicant": a.applicant.name,
        "bank": a.bank.name,
        "patents": [p.key for p in a.patents.order_by("pk")],
        "requested_amount_fen": a.requested_amount_fen,
        "requested_amount_yuan": format_fen(a.requested_amount_fen),
        "requested_term_months": a.requested_term_months,
        "valuation_source": a.valuation_source,
        "valuation_fen": a.valuation_fen,
        "appraiser": a.appraiser,
        "platform_scores": list(a.platform_scores),
        "decision_note": a.decision_note,
        "approved_amount_fen": a.approved_amount_fen,
        "interest_rate_bp": a.interest_rate_bp,
        "approved_term_months": a.approved_term_months,
        "premium_fen": a.premium_fen,
        "loan_start": a.loan_start,
        "loan_end": a.loan_end,
        "registration_no": a.registration_no,
        "registration_date": a.registration_date,
        "repaid_on": a.repaid_on,
        "interest_paid_fen": a.interest_paid_fen,
        "deal_code": a.deal.code if a.deal else "",
        "submitted_at": a.submitted_at,
    }


@router.get("/", response=list[ApplicationOut])
def list_applications(request: HttpRequest, status: str = "", limit: int = 100, offset: int = 0) -> list[Any]:
    qs = selectors.applications_visible(acting_user(request))
    if status:
        qs = qs.filter(status=status)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return [_out(a) for a in qs[offset : offset + limit]]


@router.get("/statistics", response=StatisticsOut)
def statistics(request: HttpRequest, year: int | None = None) -> Any:
    prefix = office_prefix(acting_user(request))
    if prefix is None:
        raise PermissionRefused("只有知识产权局用户可以查看统计", "IP offices only")
    return selectors.pledge_statistics(year=year or timezone.localdate().year, region_prefix=prefix)


@router.get("/{application_id}", response=ApplicationOut)
def read(request: HttpRequest, application_id: int) -> dict[str, Any]:
    return _out(selectors.application_get(acting_user(request), application_id))


@router.post("/", response={201: ApplicationOut})
def submit(request: HttpRequest, payload: ApplicationIn) -> Status[dict[str, Any]]:
    report = None
    if payload.report_base64:
        try:
            body = base64.b64decode(payload.report_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ApplicationError(
                "report", "评估报告不是有效的 base64", "report is not valid base64", "report"
            )
        report = services.Report(name=payload.report_name or "report.pdf", body=body)
    app = services.application_submit(
        actor=acting_user(request),
        bank_id=payload.bank_id,
        patent_keys=payload.patents,
        amount_yuan=payload.amount_yuan,
        term_months=payload.term_months,
        purpose=payload.purpose,
        valuation_source=payload.valuation_source,
        valuation_yuan=payload.valuation_yuan,
        appraiser=payload.appraiser,
        report=report,
    )
    return Status(201, _out(app))


@router.post("/{application_id}/decision", response=ApplicationOut)
def decide(request: HttpRequest, application_id: int, payload: DecisionIn) -> dict[str, Any]:
    app = services.application_decide(
        actor=acting_user(request), application_id=application_id, **payload.dict()
    )
    return _out(app)


@router.post("/{application_id}/registration", response=ApplicationOut)
def register(request: HttpRequest, application_id: int, payload: RegistrationIn) -> dict[str, Any]:
    app = services.application_register(
        actor=acting_user(request), application_id=application_id, **payload.dict()
    )
    return _out(app)


@router.post("/{application_id}/repayment", response=ApplicationOut)
def repay(request: HttpRequest, application_id: int, payload: RepaymentIn) -> dict[str, Any]:
    app = services.application_repay(
        actor=acting_user(request), application_id=application_id, **payload.dict()
    )
    return _out(app)


@router.post("/{application_id}/supplement", response=ApplicationOut)
def supplement(request: HttpRequest, application_id: int, payload: SupplementIn) -> dict[str, Any]:
    app = services.application_supplement(
        actor=acting_user(request), application_id=application_id, text=payload.text
    )
    return _out(app)


@router.post("/{application_id}/withdraw", response=ApplicationOut)
def withdraw(request: HttpRequest, application_id: int) -> dict[str, Any]:
    return _out(services.application_withdraw(actor=acting_user(request), application_id=application_id))
