"""Forms of the 质押融资 pages (parsing only: the services check and report every error at once)."""

from __future__ import annotations

from django import forms

from panhuo.financing.models import ValuationSource
from panhuo.financing.services import Decision


class ApplicationForm(forms.Form):
    bank = forms.TypedChoiceField(label="受理金融机构", coerce=int, required=False, empty_value=None)
    patents = forms.CharField(
        label="出质专利申请号（每行一个）",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20000,
    )
    amount = forms.CharField(label="申请金额（元）", max_length=30, required=False)
    term_months = forms.IntegerField(label="申请期限（月）", required=False)
    purpose = forms.CharField(
        label="资金用途", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    valuation_source = forms.ChoiceField(
        label="估值来源",
        choices=ValuationSource.choices,
        widget=forms.RadioSelect,
        initial=ValuationSource.PLATFORM,
    )
    valuation = forms.CharField(label="评估价值（元）", max_length=30, required=False)
    appraiser = forms.CharField(label="评估机构", max_length=200, required=False)
    report = forms.FileField(label="评估报告（PDF，≤ 5 MB）", required=False)

    def __init__(self, *args: object, banks: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["bank"].choices = [("", "请选择")] + banks  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=Decision.CHOICES, widget=forms.RadioSelect)
    amount = forms.CharField(label="批准金额（元）", max_length=30, required=False)
    rate = forms.CharField(label="年利率（%）", max_length=12, required=False)
    term_months = forms.IntegerField(label="期限（月）", required=False)
    loan_start = forms.DateField(
        label="贷款起始日", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    premium = forms.CharField(label="保险 / 担保费（元，可不填）", max_length=30, required=False)
    note = forms.CharField(
        label="审批意见 / 拒绝理由 / 需补充的材料",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )


class RegistrationForm(forms.Form):
    registration_no = forms.CharField(label="质押登记号", max_length=64, required=False)
    registration_date = forms.DateField(
        label="质押登记日", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class RepaymentForm(forms.Form):
    repaid_on = forms.DateField(
        label="还款解押日", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    interest_paid = forms.CharField(label="实付利息（元，可不填）", max_length=30, required=False)


class SupplementForm(forms.Form):
    supplement = forms.CharField(
        label="补充材料说明", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    report = forms.FileField(label="新的评估报告（PDF，可不传）", required=False)
