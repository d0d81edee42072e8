"""Deals API: deals (list, detail, create, advance, approve, filings, payments), open licences, income, reminders.

Money travels as integer fen (`*_fen`) and, for people, as yuan text in the `*_yuan` fields of the output.
Write schemas forbid extra fields, so institution / state / approver cannot be set by a client.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from engine.deals.money import format_fen
from panhuo.accounts.otp import require_step_up
from panhuo.common.errors import ApplicationError
from panhuo.deals import forms, selectors, services
from panhuo.deals.models import Deal, OpenLicenceDeclaration
from panhuo.deals.services.deals import InventorShare, party_organization

router = Router(tags=["deals"])


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str = ""
    field: str | None = None


class PartyOut(Schema):
    organization: str
    credit_code: str
    role: str
    verified: bool


class DealOut(Schema):
    id: int
    code: str
    kind: str
    title: str
    institution: str
    state: str
    licence_type: str
    sublicensable: bool
    pay_after_use: bool
    zero_entry_fee: bool
    territory: str
    term_start: date | None
    term_end: date | None
    contract_date: date | None
    contract_amount_fen: int
    contract_amount_yuan: str
    received_fen: int
    received_yuan: str
    needs_second_approval: bool
    approved: bool
    patents: list[str]
    parties: list[PartyOut]
    is_demo: bool


def _deal_out(deal: Deal) -> dict[str, Any]:
    return {
        "id": deal.pk,
        "code": deal.code,
        "kind": deal.kind,
        "title": deal.title,
        "institution": deal.institution.name,
        "state": deal.state,
        "licence_type": deal.licence_type,
        "sublicensable": deal.sublicensable,
        "pay_after_use": deal.pay_after_use,
        "zero_entry_fee": deal.zero_entry_fee,
        "territory": deal.territory,
        "term_start": deal.term_start,
        "term_end": deal.term_end,
        "contract_date": deal.contract_date,
        "contract_amount_fen": deal.contract_amount_fen,
        "contract_amount_yuan": format_fen(deal.contract_amount_fen),
        "received_fen": deal.received_fen,
        "received_yuan": format_fen(deal.received_fen),
        "needs_second_approval": deal.needs_second_approval,
        "approved": deal.approved_by_id is not None,
        "patents": [p.key for p in deal.patents.all()],
        "parties": [
            {
                "organization": p.organization.name,
                "credit_code": p.organization.credit_code,
                "role": p.role,
                "verified": p.organization.verified,
            }
            for p in deal.parties.select_related("organization")
        ],
        "is_demo": deal.is_demo,
    }


class PartyIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200)
    credit_code: str = Field("", max_length=30)
    role: str


class DealIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: str
    title: str = Field(max_length=300)
    patents: list[str] = Field(description="申请号 list", min_length=1, max_length=200)
    parties: list[PartyIn] = []
    licence_type: str = ""
    sublicensable: bool = False
    pay_after_use: bool = False
    zero_entry_fee: bool = False
    territory: str = Field("", max_length=200)
    term_start: date | None = None
    term_end: date | None = None
    contract_date: date | None = None
    contract_amount_fen: int = Field(0, ge=0, le=10**17)
    valuation_fen: int | None = Field(None, ge=0, le=10**17)
    share_bp: int | None = Field(None, ge=0, le=10000)
    pledge_registration_no: str = Field("", max_length=64)
    pledgee_consents_open_licence: bool = False
    pledgee_consents_transfer_licence: bool = False
    product: str = Field("", max_length=200)
    annual_output_fen: int | None = Field(None, ge=0, le=10**17)
    notes: str = Field("", max_length=5000)


class AdvanceIn(Schema):
    model_config = ConfigDict(extra="forbid")
    target: str
    comment: str = Field("", max_length=2000)


class FilingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: str
    number: str = Field("", max_length=64)
    filed_on: date
    effective_on: date | None = None


class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    amount_fen: int = Field(gt=0, le=10**17)
    received_on: date
    reference: str = Field("", max_length=64)


class InventorIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100)
    share_bp: int = Field(gt=0, le=10000)
    user_id: int | None = None


class OpenLicenceOut(Schema):
    id: int
    patent: str
    title: str
    holder: str
    payment_method: str
    fixed_fee_fen: int | None
    entry_fee_fen: int | None
    royalty_sales_bp: int | None
    royalty_profit_bp: int | None
    term_start: date
    term_end: date
    other_terms: str
    pay_after_use: bool
    zero_entry_fee: bool
    published_at: str
    withdrawn_at: str | None
    is_demo: bool


def _ol_out(d: OpenLicenceDeclaration) -> dict[str, Any]:
    return {
        "id": d.pk,
        "patent": d.patent.key,
        "title": d.patent.title,
        "holder": d.holder.name,
        "payment_method": d.payment_method,
        "fixed_fee_fen": d.fixed_fee_fen,
        "entry_fee_fen": d.entry_fee_fen,
        "royalty_sales_bp": d.royalty_sales_bp,
        "royalty_profit_bp": d.royalty_profit_bp,
        "term_start": d.term_start,
        "term_end": d.term_end,
        "other_terms": d.other_terms,
        "pay_after_use": d.pay_after_use,
        "zero_entry_fee": d.zero_entry_fee,
        "published_at": d.published_at.isoformat(),
        "withdrawn_at": d.withdrawn_at.isoformat() if d.withdrawn_at else None,
        "is_demo": d.is_demo,
    }


class DeclareIn(Schema):
    model_config = ConfigDict(extra="forbid")
    patent: str
    payment_method: str
    fixed_fee_fen: int | None = Field(None, ge=0, le=10**17)
    entry_fee_fen: int | None = Field(None, ge=0, le=10**17)
    royalty_sales_bp: int | None = Field(None, ge=0, le=10000)
    royalty_profit_bp: int | None = Field(None, ge=0, le=10000)
    term_start: date
    term_end: date
    other_terms: str = Field("", max_length=5000)
    pay_after_use: bool = False
    zero_entry_fee: bool = False
    evaluation_report: bool = False


class NoticeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    notice: str = Field(min_length=1, max_length=5000)


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class IncomeRowOut(Schema):
    deal: str
    received_on: date
    payment_fen: int
    amount_fen: int


class IncomeOut(Schema):
    total_fen: int
    rows: list[IncomeRowOut]


class ReminderOut(Schema):
    deal_id: int
    deal_code: str
    kind: str
    kind_zh: str
    due: date
    days_left: int
    window: int


def _u(request: HttpRequest) -> Any:
    """The session user (the API's default auth already refused anonymous calls)."""
    return request.user


ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.get("/deals", response=list[DealOut], summary="交易列表（按租户可见范围）")
def list_deals(
    request: HttpRequest, kind: str = "", state: str = "", q: str = "", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    # Bounded so a hostile page size or offset can never overflow the database's 64-bit integers.
    limit = max(1, min(limit, 500))
    offset = max(0, min(offset, 10**9))
    deals = selectors.deal_list(_u(request), kind=kind, state=state, q=q, limit=limit, offset=offset)
    return [_deal_out(d) for d in deals]


@router.get("/deals/{deal_id}", response={200: DealOut, **ERRORS}, summary="交易详情")
def get_deal(request: HttpRequest, deal_id: int) -> dict[str, Any]:
    return _deal_out(selectors.deal_get(_u(request), deal_id))


@router.post("/deals", response={201: DealOut, **ERRORS}, summary="录入交易")
def create_deal(request: HttpRequest, payload: DealIn) -> Status[Any]:
    patents = forms.patents_from(",".join(payload.patents))
    counterparties = []
    company = None
    for party in payload.parties:
        org = party_organization(name=party.name, credit_code=party.credit_code, actor=_u(request))
        if party.role == "company":
            company = org
        else:
            counterparties.append((org, party.role))
    data = payload.model_dump(exclude={"patents", "parties"})
    deal = services.deal_create(
        actor=_u(request),
        patents=patents,
        counterparties=counterparties,
        company=company,
        **data,
    )
    return Status(201, _deal_out(deal))


@router.post("/deals/{deal_id}/advance", response={200: DealOut, **ERRORS}, summary="变更交易状态")
def advance_deal(request: HttpRequest, deal_id: int, payload: AdvanceIn) -> dict[str, Any]:
    deal = services.deal_advance(
        deal_id=deal_id, actor=_u(request), target=payload.target, comment=payload.comment
    )
    return _deal_out(deal)


@router.post(
    "/deals/{deal_id}/approve", response={200: DealOut, **ERRORS}, summary="复核（同单位另一名管理员）"
)
def approve_deal(request: HttpRequest, deal_id: int) -> dict[str, Any]:
    require_step_up(request)
    return _deal_out(services.deal_approve(deal_id=deal_id, actor=_u(request)))


@router.post(
    "/deals/{deal_id}/filings", response={201: dict, **ERRORS}, summary="登记备案/登记/技术合同认定登记"
)
def add_filing(request: HttpRequest, deal_id: int, payload: FilingIn) -> Status[Any]:
    filing = services.filing_record(deal_id=deal_id, actor=_u(request), **payload.model_dump())
    return Status(201, {"id": filing.pk, "kind": filing.kind, "number": filing.number})


@router.post(
    "/deals/{deal_id}/payments", response={201: dict, **ERRORS}, summary="登记实际到账（自动分配收益）"
)
def add_payment(request: HttpRequest, deal_id: int, payload: PaymentIn) -> Status[Any]:
    payment = services.payment_record(deal_id=deal_id, actor=_u(request), **payload.model_dump())
    parts = [
        {"recipient": a.recipient, "name": a.name, "amount_fen": a.amount_fen}
        for a in payment.allocations.all()
    ]
    return Status(201, {"id": payment.pk, "amount_fen": payment.amount_fen, "allocations": parts})


class InstalmentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    due_date: date
    amount_fen: int = Field(gt=0, le=10**17)
    note: str = Field("", max_length=200)


@router.post("/deals/{deal_id}/instalments", response={201: dict, **ERRORS}, summary="添加付款计划")
def add_instalment(request: HttpRequest, deal_id: int, payload: InstalmentIn) -> Status[Any]:
    row = services.instalment_add(deal_id=deal_id, actor=_u(request), **payload.model_dump())
    return Status(201, {"id": row.pk, "due_date": row.due_date.isoformat(), "amount_fen": row.amount_fen})


@router.put("/deals/{deal_id}/inventors", response={200: dict, **ERRORS}, summary="设置发明人贡献份额")
def set_inventors(request: HttpRequest, deal_id: int, payload: list[InventorIn]) -> dict[str, Any]:
    rows = services.inventors_set(
        deal_id=deal_id,
        actor=_u(request),
        inventors=[InventorShare(i.name, i.share_bp, i.user_id) for i in payload],
    )
    return {"inventors": [{"name": r.name, "share_bp": r.share_bp} for r in rows]}


@router.get("/reminders", response=list[ReminderOut], summary="备案与期限提醒（90/30/7 天）")
def list_reminders(request: HttpRequest) -> list[Any]:
    return selectors.reminders(_u(request), today=timezone.localdate())


@router.get("/income", response=IncomeOut, summary="本人收益明细")
def my_income(request: HttpRequest) -> dict[str, Any]:
    rows, total = selectors.income_statement(_u(request))
    return {
        "total_fen": total,
        "rows": [
            {
                "deal": r.payment.deal.code,
                "received_on": r.payment.received_on,
                "payment_fen": r.payment.amount_fen,
                "amount_fen": r.amount_fen,
            }
            for r in rows
        ],
    }


@router.get(
    "/public/open-licences",
    response=list[OpenLicenceOut],
    auth=None,
    summary="开放许可公示（公开）",
    openapi_extra={"security": []},  # public on purpose: CNIPA publishes declarations (专利法 Art. 50)
)
def list_open_licences(request: HttpRequest, q: str = "", industry: str = "") -> list[dict[str, Any]]:
    return [_ol_out(d) for d in selectors.open_licences_public(q=q[:100], industry=industry[:50])]


@router.post("/open-licences", response={201: OpenLicenceOut, **ERRORS}, summary="声明开放许可")
def declare_open_licence(request: HttpRequest, payload: DeclareIn) -> Status[Any]:
    found = forms.patents_from(payload.patent)
    if len(found) != 1:
        raise ApplicationError("patent_one", "请填写一个申请号", "one application number", "patent")
    declaration = services.open_licence_declare(
        actor=_u(request),
        patent=found[0],
        **payload.model_dump(exclude={"patent"}),
    )
    return Status(201, _ol_out(declaration))


@router.post(
    "/open-licences/{declaration_id}/accept",
    response={201: DealOut, **ERRORS},
    summary="企业书面通知接受开放许可",
)
def accept_open_licence(request: HttpRequest, declaration_id: int, payload: NoticeIn) -> Status[Any]:
    deal = services.open_licence_accept(
        actor=_u(request), declaration_id=declaration_id, notice=payload.notice
    )
    return Status(201, _deal_out(deal))


@router.post(
    "/open-licences/{declaration_id}/withdraw",
    response={200: OpenLicenceOut, **ERRORS},
    summary="撤回开放许可声明",
)
def withdraw_open_licence(request: HttpRequest, declaration_id: int, payload: ReasonIn) -> dict[str, Any]:
    declaration = services.open_licence_withdraw(
        actor=_u(request),
        declaration_id=declaration_id,
        reason=payload.reason,
    )
    return _ol_out(declaration)
