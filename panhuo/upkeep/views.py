"""Pages: the patent page's 专利维护 panel, the value-facts form, recording an annual fee, the 财政资助 list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from engine.deals.money import format_fen
from panhuo.accounts.acting import acting_user
from panhuo.common.errors import ApplicationError
from panhuo.common.forms import show_errors
from panhuo.common.permissions import roles_required
from panhuo.upkeep import selectors, services
from panhuo.upkeep.apps import STAFF

YES_NO = [("no", "否"), ("yes", "是")]


class FactsForm(forms.Form):
    family_size = forms.IntegerField(label="同族数（含本专利）", required=False)
    overseas_granted = forms.ChoiceField(label="有海外授权同族", choices=YES_NO)
    claims_count = forms.IntegerField(label="权利要求数", required=False)
    independent_claims_count = forms.IntegerField(label="独立权利要求数", required=False)
    citations_forward = forms.IntegerField(label="被引次数", required=False)
    citations_backward = forms.IntegerField(label="引用次数", required=False)
    award = forms.CharField(
        label="获奖（如 第二十五届中国专利奖银奖、国家科学技术进步奖二等奖）", max_length=100, required=False
    )
    ownership_dispute = forms.ChoiceField(label="存在权属纠纷或被中止（保全）", choices=YES_NO)

    def facts(self) -> services.Facts:
        d = self.cleaned_data
        return services.facts_validate(
            family_size=d["family_size"],
            overseas_granted=d["overseas_granted"] == "yes",
            claims_count=d["claims_count"],
            independent_claims_count=d["independent_claims_count"],
            citations_forward=d["citations_forward"],
            citations_backward=d["citations_backward"],
            award=d["award"],
            ownership_dispute=d["ownership_dispute"] == "yes",
        )


class FeeForm(forms.Form):
    patent_year = forms.IntegerField(label="年度（第 N 年）", required=False)
    paid_on = forms.DateField(
        label="缴费日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = forms.CharField(label="金额（元）", max_length=30, required=False)


def _panel_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    record = services.holder_record(acting_user(request), pk)
    patent = record.patent
    payments = list(selectors.fee_payments(acting_user(request), patent))
    for p in payments:
        p.amount_text = format_fen(p.amount_fen)  # type: ignore[attr-defined]
    return {"patent": patent, "facts": services.facts_of(patent), "payments": payments}


@roles_required(*STAFF)
@require_GET
def patent_panel(request: HttpRequest, pk: int) -> HttpResponse:
    context = _panel_context(request, pk)
    context["fee_form"] = FeeForm()
    return render(request, "upkeep/panel.html", context)


@roles_required(*STAFF)
def facts_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.holder_record(acting_user(request), pk)
    patent = record.patent
    if request.method == "POST":
        form = FactsForm(request.POST)
        if form.is_valid():
            try:
                changed = services.patent_facts_update(
                    actor=acting_user(request), patent=patent, facts=form.facts()
                )
            except ApplicationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, "已保存" if changed else "没有变化")
                return redirect("patents:detail", pk=pk)
    else:
        f = services.facts_of(patent)
        form = FactsForm(
            initial={
                **{name: getattr(f, name) for name in services.FACT_FIELDS},
                "overseas_granted": "yes" if f.overseas_granted else "no",
                "ownership_dispute": "yes" if f.ownership_dispute else "no",
            }
        )
    return render(
        request,
        "upkeep/facts_form.html",
        {"form": form, "patent": patent},
        status=400 if form.errors else 200,
    )


@require_POST
@roles_required(*STAFF)
def fee_record(request: HttpRequest, pk: int) -> HttpResponse:
    record = services.holder_record(acting_user(request), pk)
    form = FeeForm(request.POST)
    if form.is_valid():
        try:
            services.annual_fee_record(
                actor=acting_user(request),
                patent=record.patent,
                patent_year=form.cleaned_data["patent_year"],
                paid_on=form.cleaned_data["paid_on"],
                amount_yuan=form.cleaned_data["amount"],
            )
        except ApplicationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "年费缴纳已登记")
            return redirect("patents:detail", pk=pk)
    context = _panel_context(request, pk)
    context["fee_form"] = form
    return render(request, "upkeep/fee_page.html", context, status=400)


@roles_required(*STAFF)
@require_GET
def fiscal_unused(request: HttpRequest) -> HttpResponse:
    rows = selectors.fiscal_unused(acting_user(request), today=timezone.localdate())
    return render(request, "upkeep/fiscal_unused.html", {"rows": rows, "years": selectors.UNUSED_YEARS})
