"""Pages: cases, events, brokering, deal origins and 技术经理人. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from engine.deals.money import format_fen
from panhuo.accounts import visibility
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.common.errors import ApplicationError, FieldErrors, NotFound, PermissionRefused
from panhuo.common.exports import XLSX_TYPE, download
from panhuo.common.permissions import roles_required
from panhuo.community import selectors
from panhuo.community.apps import BROKERING_ROLES, BUSINESS_ROLES, CASE_ROLES
from panhuo.community.forms import (
    CaseForm,
    DecisionForm,
    EventForm,
    ManagerForm,
    OriginForm,
    ProposalForm,
    ReviewForm,
    ServiceForm,
)
from panhuo.community.models import CaseState, Event, MatchProposal, TechManager
from panhuo.community.services import brokers, cases, events
from panhuo.deals.models import CONTRACT_STATES
from panhuo.deals.selectors import deal_get, deals_visible
from panhuo.demand.models import Need, NeedStatus
from panhuo.demand.selectors import needs_visible
from panhuo.imports import selectors as import_selectors
from panhuo.imports.registry import get_handler
from panhuo.imports.services import import_job_create
from panhuo.imports.tasks import import_job_task
from panhuo.imports.template import template_xlsx

T = TypeVar("T")
FIELD_OF = {"need_ids": "needs"}
ORGANISERS = tuple(r.value for r in visibility.EVENT_ORGANISER_ROLES)


def _errors_into(form: forms.Form, exc: ApplicationError) -> None:
    """Each refusal on its field, except a field whose input did not even parse (its own error says why)."""
    if isinstance(exc, PermissionRefused | NotFound):
        raise exc
    if isinstance(exc, FieldErrors):
        items = [{"field": e.field, "zh": e.message_zh, "en": e.message_en} for e in exc.errors]
    else:
        items = exc.extra.get("errors") or [{"field": exc.field, "zh": exc.message_zh, "en": exc.message_en}]  # type: ignore[assignment]
    for item in items:
        name = FIELD_OF.get(str(item["field"]), str(item["field"]))
        field = name if name in form.fields else None
        if field and form.errors.get(field):
            continue
        form.add_error(field, f"{item['zh']}（{item['en']}）" if item["en"] else str(item["zh"]))


def _process(
    form: forms.Form, build: Callable[[dict[str, object]], T], check: Callable[[T], object]
) -> T | None:
    """Parse the form; when a field did not parse, still run the service's checks so every error shows at once.
    Returns the input to write, or None (errors are on the form)."""
    valid = form.is_valid()
    data = build(getattr(form, "cleaned_data", {}))
    try:
        check(data)
    except ApplicationError as exc:
        _errors_into(form, exc)
        return None
    return data if valid else None


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _status(form: forms.Form) -> int:
    return 400 if form.errors else 200


# --- 典型案例 ------------------------------------------------------------------------------------------------------


@roles_required(*BUSINESS_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    visible = selectors.cases_visible(user)
    org = user.organization_id
    own = visible.filter(author_org_id=org).exclude(state=CaseState.PUBLISHED) if org else visible.none()
    return render(
        request,
        "community/cases.html",
        {
            "published": visible.filter(state=CaseState.PUBLISHED)[:100],
            "own": own if user.role in CASE_ROLES else [],
            "to_review": selectors.cases_to_review(user)[:100],
            "may_write": user.role in CASE_ROLES,
        },
    )


def _case_input(d: dict[str, object]) -> cases.CaseInput:
    return cases.CaseInput(
        title=str(d.get("title") or ""),
        category=str(d.get("category") or ""),
        summary=str(d.get("summary") or ""),
        background=str(d.get("background") or ""),
        process=str(d.get("process") or ""),
        effects=str(d.get("effects") or ""),
        lessons=str(d.get("lessons") or ""),
        contract_yuan=str(d.get("contract") or ""),
        revenue_yuan=str(d.get("revenue") or ""),
        jobs=d.get("jobs") if isinstance(d.get("jobs"), int) else None,  # type: ignore[arg-type]
        deal_codes=str(d.get("deal_codes") or ""),
        patents=str(d.get("patents") or ""),
    )


@roles_required(*CASE_ROLES)
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if user.organization_id is None or not visibility.case_editor(user, user.organization_id):
        raise PermissionRefused()
    form = CaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        data = _process(form, _case_input, lambda d: cases.case_validate(user, d))
        if data is not None:
            case = cases.case_create(actor=user, data=data)
            messages.success(request, "案例草稿已保存，提交后由审核人发布")
            return redirect("community:case", pk=case.pk)
    return render(request, "community/case_form.html", {"form": form, "case": None}, status=_status(form))


@roles_required(*CASE_ROLES)
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    case = selectors.case_get(user, pk)
    if not visibility.case_editor(user, case.author_org_id) or case.state not in cases.EDITABLE:
        raise PermissionRefused("案例已提交或已发布，不能修改", "case is not editable")
    initial = {
        "title": case.title,
        "category": case.category,
        "summary": case.summary,
        "background": case.background,
        "process": case.process,
        "effects": case.effects,
        "lessons": case.lessons,
        "contract": format_fen(case.contract_fen) if case.contract_fen else "",
        "revenue": format_fen(case.revenue_fen) if case.revenue_fen else "",
        "jobs": case.jobs or None,
        "deal_codes": "\n".join(case.deals.values_list("code", flat=True)),
        "patents": "\n".join(p.key for p in case.patents.all()),
    }
    form = CaseForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        data = _process(form, _case_input, lambda d: cases.case_validate(user, d))
        if data is not None:
            cases.case_update(actor=user, case_id=case.pk, data=data)
            messages.success(request, "案例已保存")
            return redirect("community:case", pk=case.pk)
    return render(request, "community/case_form.html", {"form": form, "case": case}, status=_status(form))


@roles_required(*BUSINESS_ROLES)
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    case = selectors.case_get(user, pk)
    review = ReviewForm(request.POST if request.POST.get("action") in ("publish", "return") else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit":
                cases.case_submit(actor=user, case_id=case.pk)
                messages.success(request, "已提交审核")
                return redirect("community:case", pk=case.pk)
            if action in ("publish", "return") and review.is_valid():
                cases.case_review(
                    actor=user,
                    case_id=case.pk,
                    publish=action == "publish",
                    reason=review.cleaned_data["reason"],
                )
                messages.success(request, "案例已发布" if action == "publish" else "案例已退回")
                return redirect("community:case", pk=case.pk)
        except ApplicationError as exc:
            _errors_into(review, exc)
        case = selectors.case_get(user, pk)
    return render(
        request,
        "community/case_detail.html",
        {
            "case": case,
            "view": selectors.case_public_view(case),
            "contract": format_fen(case.contract_fen),
            "revenue": format_fen(case.revenue_fen),
            "may_edit": visibility.case_editor(user, case.author_org_id) and case.state in cases.EDITABLE,
            "may_review": case.state == CaseState.SUBMITTED
            and visibility.case_reviewer(user, author_org=case.author_org, author_id=case.created_by_id),
            "review": review,
        },
        status=_status(review),
    )


# --- events -------------------------------------------------------------------------------------------------------


@roles_required(*BUSINESS_ROLES)
def event_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    now = timezone.now()
    visible = selectors.events_visible(user).filter(cancelled=False)
    return render(
        request,
        "community/events.html",
        {
            "upcoming": visible.filter(ends_at__gte=now).order_by("starts_at")[:100],
            "past": visible.filter(ends_at__lt=now).order_by("-starts_at")[:50],
            "mine": selectors.my_events(user).order_by("-starts_at")[:50],
            "may_organise": user.role in ORGANISERS,
        },
    )


def _need_choices(form: forms.Form, user: User, keep: list[Need] | None = None) -> None:
    """The needs an event may present: the open ones the organiser sees (newest 100), and `keep`."""
    open_needs = (
        needs_visible(user).filter(status__in=(NeedStatus.OPEN, NeedStatus.ANSWERED)).order_by("-id")[:100]
    )
    needs = {n.pk: n for n in [*open_needs, *(keep or [])]}
    _set_choices(form, "needs", [(str(n.pk), f"{n.title}（{n.enterprise.name}）") for n in needs.values()])


def _event_input(d: dict[str, object]) -> events.EventInput:
    def num(name: str) -> int | None:
        v = d.get(name)
        return v if isinstance(v, int) else None

    return events.EventInput(
        kind=str(d.get("kind") or ""),
        title=str(d.get("title") or ""),
        description=str(d.get("description") or ""),
        starts_at=d.get("starts_at"),  # type: ignore[arg-type]
        ends_at=d.get("ends_at"),  # type: ignore[arg-type]
        online=bool(d.get("online")),
        place=str(d.get("place") or ""),
        capacity=num("capacity"),
        per_org_limit=num("per_org_limit"),
        registration_closes_at=d.get("registration_closes_at"),  # type: ignore[arg-type]
        need_ids=[int(x) for x in d.get("needs") or [] if str(x).isdigit()],  # type: ignore[attr-defined]
        patents=str(d.get("patents") or ""),
    )


@roles_required(*ORGANISERS)
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = EventForm(request.POST if request.method == "POST" else None)
    _need_choices(form, user)
    if request.method == "POST":
        data = _process(form, _event_input, lambda d: events.event_validate(user, d))
        if data is not None:
            event = events.event_create(actor=user, data=data)
            messages.success(request, f"活动已发布，编号 {event.code}")
            return redirect("community:event", pk=event.pk)
    return render(request, "community/event_form.html", {"form": form}, status=_status(form))


def _event_initial(event: Event) -> dict[str, object]:
    """The stored event as the form shows it (times in the site's zone, patents one key a line)."""

    def local(moment: datetime) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")

    return {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "online": event.online,
        "place": event.place,
        "capacity": event.capacity,
        "per_org_limit": event.per_org_limit,
        "registration_closes_at": local(event.registration_closes_at),
        "needs": [str(n.pk) for n in event.needs.all()],
        "patents": "\n".join(p.key for p in event.patents.all()),
    }


@roles_required(*ORGANISERS)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    event = selectors.event_get(user, pk)
    if not visibility.event_manager(user, event.organiser_id):
        raise PermissionRefused()
    if event.cancelled:
        messages.error(request, "活动已取消，不能再修改")
        return redirect("community:event", pk=event.pk)
    form = EventForm(request.POST if request.method == "POST" else None, initial=_event_initial(event))
    _need_choices(form, user, keep=list(event.needs.all()))  # a need it presents, closed since, stays listed
    if request.method == "POST":
        data = _process(form, _event_input, lambda d: events.event_validate(user, d))
        if data is not None:
            try:
                events.event_update(actor=user, event_id=event.pk, data=data)
            except ApplicationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, "活动已更新")
                return redirect("community:event", pk=event.pk)
    return render(request, "community/event_form.html", {"form": form, "event": event}, status=_status(form))


@roles_required(*BUSINESS_ROLES)
@require_http_methods(["GET", "POST"])
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    event = selectors.event_get(user, pk)
    manager = visibility.event_manager(user, event.organiser_id)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "register":
                events.event_register(actor=user, event_id=event.pk)
                messages.success(request, "报名成功")
            elif action == "withdraw":
                events.event_withdraw(actor=user, event_id=event.pk)
                messages.success(request, "已取消报名")
            elif action == "close" and manager:
                events.event_close_registration(actor=user, event_id=event.pk)
                messages.success(request, "已停止报名")
            elif action == "cancel" and manager:
                events.event_cancel(actor=user, event_id=event.pk, reason=request.POST.get("reason", ""))
                messages.success(request, "活动已取消，报名者在活动页可看到取消原因")
            elif action == "attendance" and manager:
                ids = [int(v) for v in request.POST.getlist("attended") if v.isdigit()]
                n = events.attendance_mark(actor=user, event_id=event.pk, attended_ids=ids)
                messages.success(request, f"签到已保存（{n} 人变更）")
            else:
                raise PermissionRefused()
            return redirect("community:event", pk=event.pk)
        except ApplicationError as exc:
            if isinstance(exc, PermissionRefused | NotFound):
                raise
            error = f"{exc.message_zh}（{exc.message_en}）"
    rows = selectors.event_rows(
        year=timezone.localtime(event.starts_at).year, organiser_id=event.organiser_id
    )
    stats = next((r for r in rows if r.code == event.code), None)
    return render(
        request,
        "community/event_detail.html",
        {
            "cancel_reason": request.POST.get("reason", "") if request.method == "POST" else "",
            "event": event,
            "manager": manager,
            "mine": selectors.my_registration(user, event),
            "open": events.registration_open(event, now=timezone.now()),
            "may_register": user.role in visibility.EVENT_REGISTRANT_ROLES,
            "registrations": selectors.registrations_of(user, event),
            "needs": event.needs.select_related("enterprise").order_by("pk"),
            "patents": event.patents.order_by("pk"),
            "stats": stats,
            "error": error,
            "started": event.starts_at <= timezone.now(),
        },
        status=400 if error else 200,
    )


@roles_required(Role.OFFICE_OFFICIAL, *visibility.INSTITUTION_STAFF, Role.AGENCY_USER)
def event_stats(request: HttpRequest) -> HttpResponse:
    """Per event of a year: an office sees its region's events, an organiser its own."""
    user = acting_user(request)
    year_raw = request.GET.get("year", "")
    year = (
        int(year_raw) if year_raw.isdigit() and 2000 <= int(year_raw) <= 2100 else timezone.localdate().year
    )
    prefix = visibility.office_prefix(user)
    if user.role == Role.OFFICE_OFFICIAL and prefix is not None:
        rows = selectors.event_rows(year=year, region_prefix=prefix)
    elif user.role == Role.OFFICE_OFFICIAL:
        rows = []
    else:
        rows = selectors.event_rows(year=year, organiser_id=user.organization_id or 0)
    totals = {
        "registrations": sum(r.registrations for r in rows),
        "attended": sum(r.attended for r in rows),
        "walk_ins": sum(r.walk_ins for r in rows),
        "matches": sum(r.matches for r in rows),
        "deals": sum(r.deals for r in rows),
    }
    return render(request, "community/event_stats.html", {"rows": rows, "year": year, "totals": totals})


# --- brokering ----------------------------------------------------------------------------------------------------


@roles_required(*BROKERING_ROLES)
def brokering(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    services = [
        {"s": s, "fee": format_fen(s.fee_fen)}
        for s in selectors.services_of(user).order_by("-started_on")[:100]
    ]
    return render(
        request,
        "community/brokering.html",
        {
            "proposals": selectors.proposals_visible(user)[:200],
            "services": services,
            "brokered": selectors.brokered_deals(user)[:200],
            "is_agency": user.role == Role.AGENCY_USER,
            "is_staff": user.role in visibility.INSTITUTION_STAFF,
        },
    )


def _event_choices(user: User) -> list[tuple[str, str]]:
    return [("", "—")] + [
        (str(e.pk), f"{e.code} {e.title}")
        for e in selectors.events_visible(user).filter(cancelled=False)[:100]
    ]


def _proposal_input(d: dict[str, object]) -> brokers.ProposalInput:
    return brokers.ProposalInput(
        patent=str(d.get("patent") or ""),
        need_id=d.get("need") if isinstance(d.get("need"), int) else None,  # type: ignore[arg-type]
        reason=str(d.get("reason") or ""),
        event_id=d.get("event") if isinstance(d.get("event"), int) else None,  # type: ignore[arg-type]
    )


@roles_required(Role.AGENCY_USER)
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ProposalForm(request.POST if request.method == "POST" else None)
    needs = needs_visible(user).filter(status__in=brokers.OPEN_NEEDS).order_by("-id")[:200]
    _set_choices(
        form, "need", [("", "请选择")] + [(str(n.pk), f"{n.title}（{n.enterprise.name}）") for n in needs]
    )
    _set_choices(form, "event", _event_choices(user))
    if request.method == "POST":
        data = _process(form, _proposal_input, lambda d: brokers.proposal_validate(user, d))
        if data is not None:
            p = brokers.proposal_create(actor=user, data=data)
            messages.success(request, "撮合建议已发送给专利权人和需求企业")
            return redirect("community:proposal", pk=p.pk)
    return render(request, "community/proposal_form.html", {"form": form}, status=_status(form))


@roles_required(*BROKERING_ROLES)
@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    p = selectors.proposal_get(user, pk)
    side = visibility.proposal_side(
        user, agency_id=p.agency_id, holder_id=p.holder_id, enterprise_id=p.enterprise_id
    )
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            brokers.proposal_decide(
                actor=user,
                proposal_id=p.pk,
                accept=request.POST.get("action") == "accept",
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "答复已记录")
            return redirect("community:proposal", pk=p.pk)
    pending = (side == "holder" and p.holder_decision == "pending") or (
        side == "enterprise" and p.enterprise_decision == "pending"
    )
    return render(
        request,
        "community/proposal_detail.html",
        {"p": p, "side": side, "form": form, "may_answer": pending},
        status=_status(form),
    )


def _service_input(d: dict[str, object]) -> brokers.ServiceInput:
    def opt(name: str) -> int | None:
        v = d.get(name)
        return v if isinstance(v, int) else None

    return brokers.ServiceInput(
        service_type=str(d.get("service_type") or ""),
        started_on=d.get("started_on"),  # type: ignore[arg-type]
        ended_on=d.get("ended_on"),  # type: ignore[arg-type]
        fee_yuan=str(d.get("fee") or ""),
        proposal_id=opt("proposal"),
        deal_code=str(d.get("deal_code") or ""),
        manager_id=opt("manager"),
        notes=str(d.get("notes") or ""),
    )


@roles_required(Role.AGENCY_USER)
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ServiceForm(request.POST if request.method == "POST" else None)
    proposals = selectors.proposals_visible(user)[:200]
    _set_choices(
        form, "proposal", [("", "—")] + [(str(p.pk), f"{p.patent.title} → {p.need.title}") for p in proposals]
    )
    own = TechManager.objects.filter(organization_id=user.organization_id or 0)
    _set_choices(form, "manager", [("", "—")] + [(str(m.pk), m.name) for m in own])
    if request.method == "POST":
        data = _process(form, _service_input, lambda d: brokers.service_validate(user, d))
        if data is not None:
            brokers.service_record(actor=user, data=data)
            messages.success(request, "服务记录已保存")
            return redirect("community:brokering")
    return render(request, "community/service_form.html", {"form": form}, status=_status(form))


# --- deal origins -------------------------------------------------------------------------------------------------


@roles_required(*visibility.INSTITUTION_STAFF)
def origin_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    deals = (
        deals_visible(user)
        .filter(institution_id=user.organization_id, state__in=CONTRACT_STATES)
        .select_related("origin", "origin__event", "origin__broker")
        .order_by("-contract_date", "-pk")[:200]
    )
    return render(request, "community/origins.html", {"deals": deals})


@roles_required(*visibility.INSTITUTION_STAFF)
@require_http_methods(["GET", "POST"])
def origin_edit(request: HttpRequest, deal_id: int) -> HttpResponse:
    user = acting_user(request)
    deal = deal_get(user, deal_id)
    if deal.institution_id != user.organization_id:
        raise NotFound("交易不存在", "deal not found")
    current = selectors.deal_origin_for(user, deal)
    initial = (
        {
            "event": current.event_id,
            "broker": current.broker_id,
            "proposal": current.proposal_id,
            "manager": current.manager_id,
        }
        if current
        else {}
    )
    form = OriginForm(request.POST if request.method == "POST" else None, initial=initial)
    _set_choices(form, "event", _event_choices(user))
    agencies = Organization.objects.filter(type=OrganizationType.AGENCY).order_by("name")
    _set_choices(form, "broker", [("", "—")] + [(str(a.pk), a.name) for a in agencies])
    proposals = MatchProposal.objects.filter(holder_id=user.organization_id or 0).select_related(
        "agency", "patent"
    )
    _set_choices(
        form,
        "proposal",
        [("", "—")] + [(str(p.pk), f"{p.agency.name}：{p.patent.title}") for p in proposals[:200]],
    )
    managers = TechManager.objects.select_related("organization").order_by("name")[:200]
    _set_choices(
        form, "manager", [("", "—")] + [(str(m.pk), f"{m.name}（{m.organization.name}）") for m in managers]
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            events.deal_origin_record(
                actor=user,
                deal_id=deal.pk,
                event_id=d["event"],
                broker_id=d["broker"],
                proposal_id=d["proposal"],
                manager_id=d["manager"],
            )
        except ApplicationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "交易来源已登记")
            return redirect("community:origins")
    return render(request, "community/origin_form.html", {"form": form, "deal": deal}, status=_status(form))


# --- 技术经理人 ------------------------------------------------------------------------------------------------------


@roles_required(*BUSINESS_ROLES)
def manager_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(
        request,
        "community/managers.html",
        {
            "managers": selectors.managers_visible(user).order_by("name")[:200],
            "mine": TechManager.objects.filter(user=user).first(),
        },
    )


@roles_required(*BUSINESS_ROLES)
def manager_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    m = selectors.manager_get(user, pk)
    return render(
        request,
        "community/manager_detail.html",
        {"m": m, "record": selectors.manager_record(m, user), "own": m.user_id == user.pk},
    )


def _manager_input(d: dict[str, object]) -> brokers.ManagerInput:
    return brokers.ManagerInput(
        name=str(d.get("name") or ""),
        qualification=str(d.get("qualification") or ""),
        fields_text=str(d.get("fields_text") or ""),
        certificate_no=str(d.get("certificate_no") or ""),
        bio=str(d.get("bio") or ""),
        public_consent=bool(d.get("public_consent")),
    )


@roles_required(*BUSINESS_ROLES)
@require_http_methods(["GET", "POST"])
def manager_me(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    mine = TechManager.objects.filter(user=user).first()
    initial = (
        {
            "name": mine.name,
            "qualification": mine.qualification,
            "certificate_no": mine.certificate_no,
            "fields_text": mine.fields_text,
            "bio": mine.bio,
            "public_consent": mine.public_consent,
        }
        if mine
        else {"name": user.name}
    )
    form = ManagerForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        data = _process(form, _manager_input, lambda d: brokers.manager_validate(user, d))
        if data is not None:
            m = brokers.manager_save(actor=user, data=data)
            messages.success(request, "技术经理人档案已保存")
            return redirect("community:manager", pk=m.pk)
    return render(request, "community/manager_form.html", {"form": form}, status=_status(form))


__all__ = ["Event"]


# --- attendance-list import (the organiser) ------------------------------------------------------------------------

ATTENDANCE_KIND = "event_attendance"


@roles_required(*ORGANISERS)
@require_http_methods(["GET", "POST"])
def attendance_import(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    error, status = "", 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None or user.organization is None:
                raise ApplicationError(
                    "import_no_file", "请选择要导入的文件", "choose a file to import", "file"
                )
            job = import_job_create(
                organization=user.organization,
                kind=ATTENDANCE_KIND,
                uploaded_file=upload,
                original_name=upload.name,
                actor=user,
            )
        except ApplicationError as exc:
            error, status = f"{exc.message_zh}（{exc.message_en}）", 400
        else:
            job_id = job.pk
            transaction.on_commit(lambda: import_job_task(job_id))
            return redirect("community:attendance-import-job", pk=job.pk)
    jobs = import_selectors.import_jobs_visible(user).filter(kind=ATTENDANCE_KIND)[:30]
    return render(request, "community/attendance_import.html", {"jobs": jobs, "error": error}, status=status)


@roles_required(*ORGANISERS)
@require_GET
def attendance_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    job = import_selectors.import_job_get(user, pk)
    if job.kind != ATTENDANCE_KIND:
        raise NotFound()
    titles = {c.name: c.title_zh for c in get_handler(ATTENDANCE_KIND).columns}
    rejects = [
        {
            "line": r.line,
            "column": titles.get(r.column, "—"),
            "value": r.value,
            "zh": r.message_zh,
            "en": r.message_en,
        }
        for r in import_selectors.import_job_rejects(user, pk)[:200]
    ]
    return render(
        request,
        "community/attendance_import_job.html",
        {"job": job, "status": import_selectors.import_job_status(job), "rejects": rejects},
    )


@roles_required(*ORGANISERS)
@require_GET
def attendance_template(request: HttpRequest) -> HttpResponse:
    return download(template_xlsx(ATTENDANCE_KIND), "活动签到名单模板.xlsx", XLSX_TYPE)
