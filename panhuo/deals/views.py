"""Deal pages: list/detail/actions, reminders, reconciliation, open-licence listing, my licences, income."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from engine.deals.money import format_fen
from engine.identifiers.credit_code import CreditCodeError, normalise_credit_code
from panhuo.accounts.models import INSTITUTION_STAFF, Organization, Role
from panhuo.accounts.otp import step_up_required
from panhuo.common.errors import ApplicationError, ErrorCollector, NotFound
from panhuo.common.exports import CSV_TYPE, csv_bytes, download, export_guard
from panhuo.common.permissions import public, roles_required
from panhuo.deals import forms, selectors
from panhuo.deals.models import (
    DealKind,
    DealState,
    FilingKind,
    IncomeRule,
    LicenceType,
    OpenLicenceDeclaration,
    PartyRole,
    PaymentMethod,
)
from panhuo.deals.services import (
    deal_advance,
    deal_approve,
    deal_create,
    filing_record,
    income_rule_set,
    instalment_add,
    inventors_set,
    open_licence_accept,
    open_licence_declare,
    open_licence_withdraw,
    party_organization,
    payment_record,
    pledge_consent_record,
)
from panhuo.deals.services.deals import InventorShare, user_is_pledgee_of, user_is_staff_of
from panhuo.patents import picker
from panhuo.patents.rights.models import GrantKind, RightsGrant

STAFF = tuple(r.value for r in INSTITUTION_STAFF)
VIEWERS = (
    *STAFF,
    Role.INVENTOR,
    Role.ENTERPRISE_USER,
    Role.OFFICE_OFFICIAL,
    Role.AGENCY_USER,
    Role.BANK_USER,
)
NEXT_STATES = {
    DealState.INTENT: (DealState.NEGOTIATION, DealState.SIGNED),
    DealState.NEGOTIATION: (DealState.SIGNED,),
    DealState.SIGNED: (DealState.FILED, DealState.PERFORMING),
    DealState.FILED: (DealState.PERFORMING, DealState.COMPLETED),
    DealState.PERFORMING: (DealState.COMPLETED,),
}


def _u(request: HttpRequest) -> Any:
    """The signed-in user (every view here is behind roles_required)."""
    return request.user


def _act(request: HttpRequest, deal_id: int, action: Callable[[], Any], ok: str) -> HttpResponse:
    """Run one service call from a POST; show the refusal in Chinese on the detail page."""
    try:
        action()
        messages.success(request, ok)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message_zh)
    return redirect("deals:detail", deal_id=deal_id)


@roles_required(*VIEWERS)
def deal_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    q = request.GET.get("q", "").strip()
    deals = selectors.deal_list(_u(request), kind=kind, state=state, q=q)
    if request.GET.get("format") == "csv":
        refused = export_guard(request, "deals")
        if refused is not None:
            return refused

        rows = [
            (
                d.code,
                d.get_kind_display(),
                d.title,
                d.institution.name,
                d.get_state_display(),
                d.contract_date,
                format_fen(d.contract_amount_fen),
                format_fen(d.received_fen),
            )
            for d in deals
        ]
        header = ["交易编号", "类型", "名称", "单位", "状态", "合同日期", "合同金额（元）", "到账金额（元）"]
        return download(csv_bytes(header, rows), "deals.csv", CSV_TYPE)
    context = {
        "deals": deals,
        "kinds": DealKind.choices,
        "states": DealState.choices,
        "kind": kind,
        "state": state,
        "q": q,
        "totals": selectors.deal_totals(_u(request)),
        "can_create": _u(request).role in STAFF,
    }
    return render(request, "deals/list.html", context)


DEFAULT_PARTY_ROLE = {
    DealKind.TRANSFER: PartyRole.ASSIGNEE,
    DealKind.LICENCE: PartyRole.LICENSEE,
    DealKind.PLEDGE: PartyRole.PLEDGEE,
    DealKind.EQUITY: PartyRole.COMPANY,
}
# Which optional sections of the deal form belong to which kind (the form shows only the chosen kind's).
SECTION_KINDS = {
    "licence": (DealKind.LICENCE,),
    "equity": (DealKind.EQUITY,),
    "pledge": (DealKind.PLEDGE,),
    "term": (DealKind.LICENCE, DealKind.PLEDGE, DealKind.EQUITY),
    "self_impl": (DealKind.SELF_IMPLEMENTATION,),
    "party": (DealKind.TRANSFER, DealKind.LICENCE, DealKind.EQUITY, DealKind.PLEDGE),
}


def _deal_fields(request: HttpRequest, errors: ErrorCollector) -> dict[str, Any] | None:
    """Parse every field of the deal form, collecting every refusal (one submit shows them all)."""
    data = request.POST
    kind = data.get("kind", "")
    if kind not in DealKind.values or kind == DealKind.OPEN_LICENCE:
        errors.add(ApplicationError("deal_kind", "请选择交易类型", "choose a deal kind", "kind"))
    if not data.get("title", "").strip():
        errors.add(ApplicationError("title_empty", "请填写交易名称", "title required", "title"))
    if kind == DealKind.LICENCE and not data.get("licence_type"):
        errors.add(
            ApplicationError(
                "licence_type", "请选择许可类型（独占/排他/普通）", "choose a licence type", "licence_type"
            )
        )
    values: dict[str, Any] = {}
    with errors.capture():
        values["patents"] = picker.patents_resolve(_u(request), data.get("patents", ""), scope="any")
        if not values["patents"]:
            raise ApplicationError(
                "deal_patents", "请至少选择一件专利", "choose at least one patent", "patents"
            )
    for name in ("term_start", "term_end", "contract_date"):
        with errors.capture():
            values[name] = forms.day(data, name)
    for name in ("contract_amount", "valuation", "annual_output"):
        with errors.capture():
            values[name] = forms.money(data, name)
    with errors.capture():
        values["share"] = forms.basis_points(data, "share")
    if data.get("party_credit_code", "").strip():
        try:
            normalise_credit_code(data["party_credit_code"])
        except CreditCodeError as exc:
            errors.add(ApplicationError("credit_code", exc.message_zh, exc.message_en, "party_credit_code"))
    return None if errors.errors else values


def _counterparties(request: HttpRequest, kind: str) -> list[tuple[Organization, str]]:
    """The other party named on the form (found or created unverified), once every field has parsed."""
    data = request.POST
    if not data.get("party_name", "").strip():
        return []
    org = party_organization(
        name=data["party_name"],
        credit_code=data.get("party_credit_code", ""),
        type=Organization.objects.filter(name=data["party_name"].strip())
        .values_list("type", flat=True)
        .first()
        or ("bank" if kind == DealKind.PLEDGE else "enterprise"),
        actor=_u(request),
    )
    default_role = DEFAULT_PARTY_ROLE.get(DealKind(kind), PartyRole.LICENSEE)
    return [(org, data.get("party_role") or str(default_role))]


@roles_required(*STAFF)
def deal_new(request: HttpRequest) -> HttpResponse:
    values = request.POST if request.method == "POST" else {}
    errors = ErrorCollector()
    if request.method == "POST":
        data = request.POST
        kind = data.get("kind", "")
        parsed = _deal_fields(request, errors)
        if parsed is not None:
            with errors.capture():
                counterparties = _counterparties(request, kind)
                company = counterparties[0][0] if kind == DealKind.EQUITY and counterparties else None
                deal = deal_create(
                    actor=_u(request),
                    kind=kind,
                    title=data.get("title", ""),
                    patents=parsed["patents"],
                    counterparties=[c for c in counterparties if c[1] != PartyRole.COMPANY],
                    licence_type=data.get("licence_type", "") if kind == DealKind.LICENCE else "",
                    sublicensable=bool(data.get("sublicensable")),
                    pay_after_use=bool(data.get("pay_after_use")),
                    zero_entry_fee=bool(data.get("zero_entry_fee")),
                    territory=data.get("territory", ""),
                    term_start=parsed["term_start"],
                    term_end=parsed["term_end"],
                    contract_date=parsed["contract_date"],
                    contract_amount_fen=parsed["contract_amount"] or 0,
                    valuation_fen=parsed["valuation"],
                    share_bp=parsed["share"],
                    company=company,
                    pledge_registration_no=data.get("pledge_registration_no", ""),
                    pledgee_consents_open_licence=bool(data.get("pledgee_consents_open_licence")),
                    pledgee_consents_transfer_licence=bool(data.get("pledgee_consents_transfer_licence")),
                    product=data.get("product", ""),
                    annual_output_fen=parsed["annual_output"],
                    notes=data.get("notes", ""),
                )
                messages.success(request, f"已创建交易 {deal.code}")
                return redirect("deals:detail", deal_id=deal.pk)
    context = {
        "kinds": [c for c in DealKind.choices if c[0] != DealKind.OPEN_LICENCE],
        "licence_types": LicenceType.choices,
        "roles": PartyRole.choices,
        "v": values,
        "errors": errors.by_field(),
        "section_kinds": {name: " ".join(kinds) for name, kinds in SECTION_KINDS.items()},
    }
    return render(request, "deals/new.html", context, status=400 if errors.errors else 200)


@roles_required(*VIEWERS)
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = selectors.deal_get(_u(request), deal_id)
    staff = user_is_staff_of(_u(request), deal)
    payments = list(deal.payments.prefetch_related("allocations"))
    if not staff:
        # parties other than the institution see the money, not the internal split between inventors
        for p in payments:
            p.visible_allocations = []  # type: ignore[attr-defined]
    else:
        for p in payments:
            p.visible_allocations = list(p.allocations.all())  # type: ignore[attr-defined]
    context = {
        "deal": deal,
        "staff": staff,
        "may_record_consent": deal.kind == DealKind.PLEDGE
        and (staff or user_is_pledgee_of(_u(request), deal)),
        "parties": deal.parties.select_related("organization"),
        "patents": deal.patents.all(),
        "events": deal.events.select_related("actor"),
        "filings": deal.filings.all(),
        "instalments": deal.instalments.all(),
        "payments": payments,
        "inventors": deal.inventors.all(),
        "next_states": [(s.value, s.label) for s in NEXT_STATES.get(DealState(deal.state), ())],
        "filing_kinds": FilingKind.choices,
        "can_approve": staff
        and deal.needs_second_approval
        and deal.approved_by_id is None
        and deal.created_by_id != _u(request).pk,
        "today": timezone.localdate(),
    }
    return render(request, "deals/detail.html", context)


@require_POST
@roles_required(*STAFF)
def deal_advance_view(request: HttpRequest, deal_id: int) -> HttpResponse:
    target = request.POST.get("target", "")
    return _act(
        request,
        deal_id,
        lambda: deal_advance(
            deal_id=deal_id, actor=_u(request), target=target, comment=request.POST.get("comment", "")
        ),
        "状态已更新",
    )


@require_POST
@roles_required(*STAFF)
@step_up_required
def deal_approve_view(request: HttpRequest, deal_id: int) -> HttpResponse:
    return _act(request, deal_id, lambda: deal_approve(deal_id=deal_id, actor=_u(request)), "已复核")


@require_POST
@roles_required(*STAFF)
def deal_filing_view(request: HttpRequest, deal_id: int) -> HttpResponse:
    def run() -> None:
        filing_record(
            deal_id=deal_id,
            actor=_u(request),
            kind=request.POST.get("kind", ""),
            number=request.POST.get("number", ""),
            filed_on=forms.required_day(request.POST, "filed_on"),
            effective_on=forms.day(request.POST, "effective_on"),
        )

    return _act(request, deal_id, run, "已登记")


@require_POST
@roles_required(*STAFF)
def deal_payment_view(request: HttpRequest, deal_id: int) -> HttpResponse:
    def run() -> None:
        payment_record(
            deal_id=deal_id,
            actor=_u(request),
            amount_fen=forms.money(request.POST, "amount", required=True) or 0,
            received_on=forms.required_day(request.POST, "received_on"),
            reference=request.POST.get("reference", ""),
        )

    return _act(request, deal_id, run, "已登记到账并完成收益分配")


@require_POST
@roles_required(*STAFF)
def deal_instalment_view(request: HttpRequest, deal_id: int) -> HttpResponse:
    def run() -> None:
        instalment_add(
            deal_id=deal_id,
            actor=_u(request),
            due_date=forms.required_day(request.POST, "due_date"),
            amount_fen=forms.money(request.POST, "amount", required=True) or 0,
            note=request.POST.get("note", "")[:200],
        )

    return _act(request, deal_id, run, "已添加付款计划")


@require_POST
@roles_required(*STAFF, Role.BANK_USER)
def deal_pledge_consent_view(request: HttpRequest, deal_id: int) -> HttpResponse:
    return _act(
        request,
        deal_id,
        lambda: pledge_consent_record(
            deal_id=deal_id,
            actor=_u(request),
            transfer_licence=bool(request.POST.get("transfer_licence")),
            open_licence=bool(request.POST.get("open_licence")),
            evidence=request.POST.get("evidence", ""),
        ),
        "已记录质权人意见",
    )


@require_POST
@roles_required(*STAFF)
def deal_inventors_view(request: HttpRequest, deal_id: int) -> HttpResponse:
    def run() -> None:
        shares = []
        for line in request.POST.get("inventors", "").splitlines():
            if not line.strip():
                continue
            name, _, pct = line.replace("，", ",").replace("：", ":").replace(":", ",").partition(",")
            bp = forms.basis_points({"p": pct}, "p")
            shares.append(InventorShare(name.strip(), bp or 0, _inventor_user(request, name.strip())))
        inventors_set(deal_id=deal_id, actor=_u(request), inventors=shares)

    return _act(request, deal_id, run, "已保存发明人贡献份额")


def _inventor_user(request: HttpRequest, name: str) -> int | None:
    from panhuo.accounts.models import User

    user = (
        User.objects.filter(organization_id=_u(request).organization_id, role=Role.INVENTOR)
        .filter(display_name=name)
        .values_list("pk", flat=True)
        .first()
    )
    return user


@roles_required(*VIEWERS)
def patent_panel(request: HttpRequest, patent_id: int) -> HttpResponse:
    """Fragment for the patent page: the deals on this patent the user may see, and its open licence."""
    deals = list(
        selectors.deals_visible(_u(request)).filter(deal_patents__patent_id=patent_id).distinct()[:50]
    )
    declaration = (
        OpenLicenceDeclaration.objects.filter(patent_id=patent_id)
        .order_by("withdrawn_at", "-published_at")
        .first()
    )
    pledged = (
        RightsGrant.objects.filter(patent_id=patent_id, kind=GrantKind.PLEDGE, active=True)
        .order_by("term_end")
        .values_list("term_end", flat=True)
    )
    return render(
        request,
        "deals/patent_panel.html",
        {"deals": deals, "declaration": declaration, "pledged": list(pledged)},
    )


@roles_required(*VIEWERS)
def reminders_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    items = selectors.reminders(_u(request), today=today)
    return render(request, "deals/reminders.html", {"items": items, "today": today})


@roles_required(*STAFF, Role.OFFICE_OFFICIAL)
def reconciliation_view(request: HttpRequest) -> HttpResponse:
    rec = selectors.reconciliation(_u(request))
    return render(request, "deals/reconciliation.html", {"rec": rec})


@public
def open_licence_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    industry = request.GET.get("industry", "").strip()[:50]
    items = selectors.open_licences_public(q=q, industry=industry)
    context = {"items": items, "q": q, "industry": industry, "industries": selectors.industries_for_listing()}
    return render(request, "deals/open_licences.html", context)


@public
def open_licence_detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    item = OpenLicenceDeclaration.objects.select_related("patent", "holder").filter(pk=declaration_id).first()
    if item is None:
        raise NotFound("开放许可声明不存在", "declaration not found")
    user = _u(request)
    context = {
        "item": item,
        "can_accept": item.is_active and getattr(user, "role", None) == Role.ENTERPRISE_USER,
        "can_withdraw": item.is_active
        and getattr(user, "role", None) in STAFF
        and getattr(user, "organization_id", None) == item.holder_id,
    }
    return render(request, "deals/open_licence_detail.html", context)


@require_POST
@roles_required(Role.ENTERPRISE_USER)
def open_licence_accept_view(request: HttpRequest, declaration_id: int) -> HttpResponse:
    try:
        deal = open_licence_accept(
            actor=_u(request),
            declaration_id=declaration_id,
            notice=request.POST.get("notice", ""),
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message_zh)
        return redirect("deals:public-open-licence", declaration_id=declaration_id)
    messages.success(request, f"已接受开放许可，取得普通许可（{deal.code}）。请许可人在 3 个月内办理备案。")
    return redirect("deals:my-licences")


@require_POST
@roles_required(*STAFF)
def open_licence_withdraw_view(request: HttpRequest, declaration_id: int) -> HttpResponse:
    try:
        open_licence_withdraw(
            actor=_u(request),
            declaration_id=declaration_id,
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, "已撤回开放许可声明（已授予的许可不受影响）")
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message_zh)
    return redirect("deals:public-open-licence", declaration_id=declaration_id)


@roles_required(*STAFF)
def open_licence_declare_view(request: HttpRequest) -> HttpResponse:
    values = request.POST if request.method == "POST" else {}
    errors = ErrorCollector()
    if request.method == "POST":
        data = request.POST
        parsed: dict[str, Any] = {}
        with errors.capture():
            parsed["patent"] = picker.patent_resolve(
                _u(request), data.get("patent", ""), scope="own", field="patent"
            )
        for name in ("fixed_fee", "entry_fee"):
            with errors.capture():
                parsed[name] = forms.money(data, name)
        for name in ("royalty_sales", "royalty_profit"):
            with errors.capture():
                parsed[name] = forms.basis_points(data, name)
        for name in ("term_start", "term_end"):
            with errors.capture():
                parsed[name] = forms.required_day(data, name)
        if not errors.errors:
            with errors.capture():
                declaration = open_licence_declare(
                    actor=_u(request),
                    patent=parsed["patent"],
                    payment_method=data.get("payment_method", ""),
                    fixed_fee_fen=parsed["fixed_fee"],
                    entry_fee_fen=parsed["entry_fee"],
                    royalty_sales_bp=parsed["royalty_sales"],
                    royalty_profit_bp=parsed["royalty_profit"],
                    term_start=parsed["term_start"],
                    term_end=parsed["term_end"],
                    other_terms=data.get("other_terms", ""),
                    pay_after_use=bool(data.get("pay_after_use")),
                    zero_entry_fee=bool(data.get("zero_entry_fee")),
                    evaluation_report=bool(data.get("evaluation_report")),
                )
                messages.success(request, "开放许可声明已公布")
                return redirect("deals:public-open-licence", declaration_id=declaration.pk)
    context = {"methods": PaymentMethod.choices, "v": values, "errors": errors.by_field()}
    return render(request, "deals/declare.html", context, status=400 if errors.errors else 200)


@roles_required(Role.ENTERPRISE_USER)
def my_licences_view(request: HttpRequest) -> HttpResponse:
    deals = selectors.my_licences(_u(request))
    return render(request, "deals/my_licences.html", {"deals": deals})


@roles_required(Role.INVENTOR, *STAFF)
def income_view(request: HttpRequest) -> HttpResponse:
    rows, total = selectors.income_statement(_u(request))
    summary = selectors.institution_income_summary(_u(request))
    rule = IncomeRule.objects.filter(organization_id=_u(request).organization_id).first()
    context = {"rows": rows, "total": total, "summary": summary, "rule": rule}
    return render(request, "deals/income.html", context)


@require_POST
@roles_required(Role.INSTITUTION_ADMIN)
def income_rule_view(request: HttpRequest) -> HttpResponse:
    data = request.POST
    try:
        income_rule_set(
            actor=_u(request),
            institution_bp=forms.basis_points(data, "institution") or 0,
            inventors_bp=forms.basis_points(data, "inventors") or 0,
            service_bp=forms.basis_points(data, "service") or 0,
            service_kinds=data.getlist("service_kinds"),
            approval_threshold_fen=forms.money(data, "threshold"),
        )
        messages.success(request, "收益分配规则已保存")
    except ApplicationError as exc:
        messages.error(request, exc.message_zh)
    return redirect("deals:income")
