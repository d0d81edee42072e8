"""Pages: the reminder list and results reported, and the per-deal report form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from engine.deals.money import format_fen
from panhuo.accounts.acting import acting_user
from panhuo.common.errors import ApplicationError
from panhuo.common.forms import show_errors
from panhuo.common.permissions import roles_required
from panhuo.outcomes import selectors, services
from panhuo.outcomes.apps import REPORTERS


class OutcomeForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False)
    revenue = forms.CharField(label="销售收入（元）", max_length=30, required=False)
    output = forms.CharField(label="产值（元）", max_length=30, required=False)
    jobs = forms.IntegerField(label="新增就业（人）", required=False)
    new_products = forms.IntegerField(label="新产品（项）", required=False)
    notes = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


def _rows(outcomes: Any) -> list[Any]:
    rows = list(outcomes)
    for o in rows:
        o.revenue_text, o.output_text = format_fen(o.revenue_fen), format_fen(o.output_fen)
    return rows


@roles_required(*REPORTERS)
def outcome_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    due = selectors.outcomes_due(acting_user(request), today=today)[:200]
    reported = _rows(selectors.outcomes_visible(acting_user(request)).order_by("-year", "-updated_at")[:200])
    return render(
        request, "outcomes/list.html", {"due": due, "reported": reported, "last_year": today.year - 1}
    )


@roles_required(*REPORTERS)
def outcome_report(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = services.reportable_deal(acting_user(request), deal_id)
    form = OutcomeForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            _, created = services.outcome_report(
                actor=acting_user(request),
                deal_id=deal.pk,
                year=d["year"],
                revenue_yuan=d["revenue"],
                output_yuan=d["output"],
                jobs=d["jobs"],
                new_products=d["new_products"],
                notes=d["notes"],
            )
        except ApplicationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "产业化成效已填报" if created else "产业化成效已更新")
            return redirect("outcomes:report", deal_id=deal.pk)
    history = _rows(selectors.outcomes_visible(acting_user(request)).filter(deal=deal))
    return render(
        request,
        "outcomes/report.html",
        {"deal": deal, "form": form, "history": history},
        status=400 if form.errors else 200,
    )
