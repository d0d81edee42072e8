"""Pages: the list (applicant: own; bank: its inbox; office: its region with statistics), the application form,
the application page with the actions of whoever may act on it, and the appraisal report download."""

from __future__ import annotations

from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from engine.deals.money import format_bp, format_fen
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Role
from panhuo.accounts.visibility import office_prefix
from panhuo.common.errors import ApplicationError
from panhuo.common.forms import show_errors
from panhuo.common.permissions import roles_required
from panhuo.financing import forms, selectors, services
from panhuo.financing.apps import APPLICANTS, BANKERS, VIEWERS
from panhuo.financing.models import ApplicationStatus, PledgeApplication

MAX_UPLOAD = services.MAX_REPORT_BYTES


def _report(upload: UploadedFile | None) -> services.Report | None:
    if upload is None:
        return None
    # Read one byte past the limit: the service refuses an oversized file without holding more of it.
    return services.Report(name=str(upload.name), body=upload.read(MAX_UPLOAD + 1))


def _money(app: PledgeApplication) -> dict[str, str]:
    rate = app.interest_rate_bp
    return {
        "requested": format_fen(app.requested_amount_fen),
        "approved": format_fen(app.approved_amount_fen) if app.approved_amount_fen is not None else "",
        "valuation": format_fen(app.valuation_fen) if app.valuation_fen is not None else "",
        "premium": format_fen(app.premium_fen),
        "interest_paid": format_fen(app.interest_paid_fen) if app.interest_paid_fen is not None else "",
        "rate": format_bp(rate) if rate is not None else "",
    }


@roles_required(*VIEWERS)
def application_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    status = request.GET.get("status", "")
    qs = selectors.applications_visible(user)
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    rows = [(a, _money(a)) for a in qs[:300]]
    stats = None
    if user.role == Role.OFFICE_OFFICIAL:
        prefix = office_prefix(user)
        year = timezone.localdate().year
        stats = (
            selectors.pledge_statistics(year=year, region_prefix=prefix or "") if prefix is not None else None
        )
    return render(
        request,
        "financing/list.html",
        {
            "rows": rows,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "can_apply": user.role in APPLICANTS,
            "is_bank": user.role in BANKERS,
            "stats": stats,
            "stats_money": _stats_money(stats) if stats else None,
        },
    )


def _stats_money(s: selectors.PledgeStatistics) -> dict[str, Any]:
    return {
        "requested": format_fen(s.requested_fen),
        "approved": format_fen(s.approved_fen),
        "registered": format_fen(s.registered_fen),
        "live": format_fen(s.live_fen),
        "by_bank": [(r, format_fen(r.approved_fen)) for r in s.by_bank],
        "by_region": [(r, format_fen(r.approved_fen)) for r in s.by_region],
    }


@roles_required(*APPLICANTS)
def application_new(request: HttpRequest) -> HttpResponse:
    banks = [(b.pk, b.name) for b in selectors.banks()]
    form = forms.ApplicationForm(request.POST or None, request.FILES or None, banks=banks)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            app = services.application_submit(
                actor=acting_user(request),
                bank_id=d["bank"],
                patent_keys=[k for k in d["patents"].replace("，", "\n").replace(",", "\n").splitlines()],
                amount_yuan=d["amount"],
                term_months=d["term_months"],
                purpose=d["purpose"],
                valuation_source=d["valuation_source"],
                valuation_yuan=d["valuation"],
                appraiser=d["appraiser"],
                report=_report(d["report"]),
            )
        except ApplicationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"质押融资申请 {app.code} 已提交")
            return redirect("financing:detail", application_id=app.pk)
    return render(request, "financing/new.html", {"form": form}, status=400 if form.errors else 200)


def _detail(
    request: HttpRequest, app: PledgeApplication, bound: dict[str, djforms.Form] | None = None
) -> HttpResponse:
    user = acting_user(request)
    bound = bound or {}
    is_bank = user.role == Role.BANK_USER and app.bank_id == user.organization_id
    is_applicant = user.role in APPLICANTS and app.applicant_id == user.organization_id
    today = timezone.localdate()
    ctx: dict[str, Any] = {
        "a": app,
        "money": _money(app),
        "patents": list(app.patents.order_by("pk")),
        "events": list(app.events.select_related("actor")),
        "is_bank": is_bank,
        "is_applicant": is_applicant,
        # every refusal of a submitted form, also when the form itself is no longer offered (state changed)
        "bound_errors": [m for f in bound.values() for errs in f.errors.values() for m in errs],
    }
    if is_bank and app.status == ApplicationStatus.SUBMITTED:
        ctx["decide"] = bound.get("decide") or forms.DecisionForm(
            initial={
                "amount": format_fen(app.requested_amount_fen).replace(",", ""),
                "term_months": app.requested_term_months,
                "loan_start": today,
            }
        )
    if is_bank and app.status == ApplicationStatus.APPROVED:
        ctx["register"] = bound.get("register") or forms.RegistrationForm(
            initial={"registration_date": today}
        )
    if is_bank and app.status == ApplicationStatus.REGISTERED:
        ctx["repay"] = bound.get("repay") or forms.RepaymentForm(initial={"repaid_on": today})
    if is_applicant and app.status == ApplicationStatus.MORE_INFO:
        ctx["supplement"] = bound.get("supplement") or forms.SupplementForm()
    ctx["can_withdraw"] = is_applicant and app.status in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.MORE_INFO,
    )
    return render(request, "financing/detail.html", ctx, status=400 if bound else 200)


@roles_required(*VIEWERS)
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    return _detail(request, selectors.application_get(acting_user(request), application_id))


@roles_required(*APPLICANTS, *BANKERS)
def application_report(request: HttpRequest, application_id: int) -> HttpResponse:
    app = selectors.application_get(acting_user(request), application_id)
    if not app.has_report:
        raise Http404()
    response = HttpResponse(bytes(app.report_body), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{app.code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@roles_required(*APPLICANTS, *BANKERS)
def application_act(request: HttpRequest, application_id: int, action: str) -> HttpResponse:
    user = acting_user(request)
    app = selectors.application_get(user, application_id)
    form: djforms.Form
    done = {
        "decide": "审批结果已保存",
        "register": "质押登记已记录",
        "repay": "还款解押已记录",
        "supplement": "补充材料已提交",
        "withdraw": "申请已撤回",
    }
    if action not in done:
        raise Http404()
    try:
        if action == "withdraw":
            services.application_withdraw(actor=user, application_id=app.pk)
            messages.success(request, done[action])
            return redirect("financing:detail", application_id=app.pk)
        if action == "decide":
            form = forms.DecisionForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.application_decide(
                    actor=user,
                    application_id=app.pk,
                    decision=d["decision"],
                    note=d["note"],
                    amount_yuan=d["amount"],
                    rate_percent=d["rate"],
                    term_months=d["term_months"],
                    premium_yuan=d["premium"],
                    loan_start=d["loan_start"],
                )
        elif action == "register":
            form = forms.RegistrationForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.application_register(
                    actor=user,
                    application_id=app.pk,
                    registration_no=d["registration_no"],
                    registration_date=d["registration_date"],
                )
        elif action == "repay":
            form = forms.RepaymentForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.application_repay(
                    actor=user,
                    application_id=app.pk,
                    repaid_on=d["repaid_on"],
                    interest_paid_yuan=d["interest_paid"],
                )
        else:
            form = forms.SupplementForm(request.POST, request.FILES)
            if form.is_valid():
                d = form.cleaned_data
                services.application_supplement(
                    actor=user, application_id=app.pk, text=d["supplement"], report=_report(d["report"])
                )
    except ApplicationError as exc:
        if action == "withdraw":
            messages.error(request, exc.message_zh)
            return redirect("financing:detail", application_id=app.pk)
        show_errors(form, exc)
    if form.errors:
        app.refresh_from_db()
        return _detail(request, app, {action: form})
    messages.success(request, done[action])
    return redirect("financing:detail", application_id=app.pk)
