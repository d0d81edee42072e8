"""The 先使用后付费 schedule page of a deal: terms → generated schedule (editable) → saved → confirmed."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from engine.deals.money import format_fen
from engine.deals.schedule import FIXED, PERIODS, REVENUE, SPLIT, Instalment, ScheduleTerms
from panhuo.accounts.acting import acting_user
from panhuo.common.errors import ApplicationError
from panhuo.common.forms import show_errors
from panhuo.common.permissions import roles_required
from panhuo.deals import selectors
from panhuo.deals.services.deals import user_is_staff_of
from panhuo.deals.services.schedule import schedule_confirm, schedule_generate, schedule_replace
from panhuo.deals.views import VIEWERS

MODES = ((FIXED, "每期固定金额"), (SPLIT, "合同金额按期均分"), (REVENUE, "按销售额比例提成"))
BLANK_ROWS = 3


class TermsForm(forms.Form):
    start = forms.DateField(
        label="许可起始日", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="付费截止日", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    free_months = forms.IntegerField(label="免费使用期（月）", required=False, initial=12)
    period_months = forms.TypedChoiceField(
        label="付款周期", coerce=int, choices=[(p, f"{p} 个月") for p in PERIODS], initial=12
    )
    mode = forms.ChoiceField(label="付费方式", choices=MODES, widget=forms.RadioSelect, initial=FIXED)
    amount = forms.CharField(
        label="金额（元：每期固定金额，或均分的合同总额）", max_length=30, required=False
    )
    revenue_percent = forms.CharField(label="提成比例（%）", max_length=10, required=False)
    revenue = forms.CharField(label="每期预计销售额（元）", max_length=30, required=False)


def _rows_from_post(data: QueryDict) -> list[tuple[date | None, str, str]]:
    out = []
    for n in range(int(data.get("rows", "0") or 0)):
        raw = (data.get(f"due_{n}") or "").strip()
        try:
            due = date.fromisoformat(raw) if raw else None
        except ValueError:
            due = None
        out.append((due, data.get(f"amount_{n}", ""), data.get(f"note_{n}", "")))
    return out[:300]


def _editable(rows: list[Instalment] | list[tuple[date | None, str, str]]) -> list[dict[str, str]]:
    out = []
    for r in rows:
        if isinstance(r, Instalment):
            out.append(
                {
                    "due": r.due_date.isoformat(),
                    "amount": format_fen(r.amount_fen).replace(",", ""),
                    "note": r.note,
                }
            )
        else:
            out.append({"due": r[0].isoformat() if r[0] else "", "amount": r[1], "note": r[2]})
    return out + [{"due": "", "amount": "", "note": ""}] * BLANK_ROWS


@roles_required(*VIEWERS)
def deal_schedule(request: HttpRequest, deal_id: int) -> HttpResponse:
    user = acting_user(request)
    deal = selectors.deal_get(user, deal_id)
    staff = user_is_staff_of(user, deal)
    editable = staff and deal.pay_after_use and deal.schedule_confirmed_at is None
    initial = {"start": deal.term_start, "end": deal.term_end, "amount": ""}
    terms_form = TermsForm(initial=initial)
    preview: list[dict[str, str]] | None = None
    terms: ScheduleTerms | None = None
    errors: list[str] = []
    status = 200
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action and not editable:
        errors.append("付款计划已确认或不可编辑")
        status = 400
    elif action == "generate":
        terms_form = TermsForm(request.POST)
        if terms_form.is_valid():
            d = terms_form.cleaned_data
            try:
                terms, rows = schedule_generate(
                    deal_id=deal.pk,
                    actor=user,
                    start=d["start"],
                    end=d["end"],
                    free_months=d["free_months"],
                    period_months=d["period_months"],
                    mode=d["mode"],
                    amount_yuan=d["amount"],
                    revenue_percent=d["revenue_percent"],
                    revenue_yuan=d["revenue"],
                )
                preview = _editable(rows)
                request.session[f"schedule_terms_{deal.pk}"] = request.POST.urlencode()
            except ApplicationError as exc:
                show_errors(terms_form, exc)
                status = 400
        else:
            status = 400
    elif action == "save":
        posted = _rows_from_post(request.POST)
        saved_terms = request.session.get(f"schedule_terms_{deal.pk}")
        if saved_terms:
            tf = TermsForm(QueryDict(saved_terms))
            if tf.is_valid():
                d = tf.cleaned_data
                try:
                    terms, _ = schedule_generate(
                        deal_id=deal.pk, actor=user, start=d["start"], end=d["end"], free_months=d["free_months"],
                        period_months=d["period_months"], mode=d["mode"], amount_yuan=d["amount"],
                        revenue_percent=d["revenue_percent"], revenue_yuan=d["revenue"],
                    )  # fmt: skip
                except ApplicationError:
                    terms = None
        try:
            schedule_replace(deal_id=deal.pk, actor=user, rows=posted, terms=terms)
        except ApplicationError as exc:
            items = exc.extra.get("errors") or [{"zh": exc.message_zh}]
            errors += [str(i["zh"]) for i in items]  # type: ignore[attr-defined]
            preview = _editable(posted)
            status = 400
        else:
            messages.success(request, "付款计划已保存，确认前仍可修改")
            return redirect("deals:schedule", deal_id=deal.pk)
    elif action == "confirm":
        try:
            schedule_confirm(deal_id=deal.pk, actor=user)
        except ApplicationError as exc:
            errors.append(exc.message_zh)
            status = 400
        else:
            messages.success(request, "付款计划已确认")
            return redirect("deals:schedule", deal_id=deal.pk)
    instalments = list(deal.instalments.all())
    return render(
        request,
        "deals/schedule.html",
        {
            "deal": deal,
            "editable": editable,
            "terms_form": terms_form,
            "preview": preview,
            "errors": errors,
            "instalments": [(i, format_fen(i.amount_fen)) for i in instalments],
            "total": format_fen(sum(i.amount_fen for i in instalments)),
        },
        status=status,
    )
