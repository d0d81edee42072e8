"""HTML forms: parse and show fields; validation of meaning lives in the services (ApplicationError)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from panhuo.common.errors import ApplicationError
from panhuo.demand.models import CooperationMode, EnterpriseSize, Qualification, RequestStatus
from panhuo.demand.services import checks


def yuan_to_fen(value: Decimal | None) -> int | None:
    if value is None:
        return None
    return int((value * 100).to_integral_value())


def split_terms(text: str) -> list[str]:
    for sep in "；;，,、|\n\r\t":
        text = text.replace(sep, " ")
    return [t for t in text.split(" ") if t.strip()]


class ProfileForm(forms.Form):
    name = forms.CharField(label="企业名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30)
    region_code = forms.CharField(label="所属地区（行政区划代码）", max_length=6, required=False)
    size = forms.ChoiceField(
        label="企业规模", choices=[("", "—")] + list(EnterpriseSize.choices), required=False
    )
    qualifications = forms.MultipleChoiceField(
        label="资质", choices=Qualification.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    business_scope = forms.CharField(
        label="经营范围", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    technical_focus = forms.CharField(
        label="技术关注方向", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    industry_code = forms.CharField(label="行业代码（GB/T 4754 小类）", max_length=8, required=False)
    industry_confirmed = forms.BooleanField(label="我确认所属行业", required=False)
    contact_name = forms.CharField(label="联系人", max_length=100, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    contact_email = forms.EmailField(label="联系邮箱", required=False)


class NeedForm(forms.Form):
    title = forms.CharField(label="需求名称", max_length=200)
    description = forms.CharField(label="需求描述", widget=forms.Textarea(attrs={"rows": 6}))
    industry_code = forms.CharField(label="行业代码（GB/T 4754 小类，可选）", max_length=8, required=False)
    ipc_hints = forms.CharField(label="IPC 提示（可选，多个用逗号分隔）", max_length=300, required=False)
    budget_min = forms.DecimalField(label="预算下限（元）", min_value=0, decimal_places=2, required=False)
    budget_max = forms.DecimalField(label="预算上限（元）", min_value=0, decimal_places=2, required=False)
    wanted_mode = forms.ChoiceField(label="合作方式", choices=CooperationMode.choices)
    deadline = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # resolved by the patent picker in the view (申请号 / 公开号 / 授权公告号 / title words)
    patents = forms.CharField(label="关联专利（可选）", max_length=2000, required=False)


class AnswerForm(forms.Form):
    text = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 4}))
    # resolved by the patent picker in the view, among the institution's own pooled patents
    patents = forms.CharField(label="推荐本单位专利（可选）", max_length=2000, required=False)


class SubscriptionForm(forms.Form):
    name = forms.CharField(label="订阅名称", max_length=100, required=False)
    keywords = forms.CharField(label="关键词（空格或逗号分隔）", max_length=300, required=False)
    ipc_codes = forms.CharField(label="IPC 分类号", max_length=300, required=False)
    industry_codes = forms.CharField(label="行业代码", max_length=300, required=False)
    institution_ids = forms.MultipleChoiceField(label="关注机构", required=False, choices=[])


class CooperationRequestForm(forms.Form):
    mode = forms.ChoiceField(label="合作方式", choices=CooperationMode.choices)
    message = forms.CharField(label="留言", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    contact_name = forms.CharField(label="联系人", max_length=100, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)

    def clean_contact_phone(self) -> str:
        """The service's phone rule, applied here too so that it is shown with the other fields' errors."""
        try:
            return checks.phone(self.cleaned_data.get("contact_phone") or "")
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message_zh) from None


class ReplyForm(forms.Form):
    status = forms.ChoiceField(
        label="处理结果",
        choices=[
            (s.value, s.label)
            for s in (RequestStatus.REPLIED, RequestStatus.ACCEPTED, RequestStatus.DECLINED)
        ],
    )
    reply = forms.CharField(label="回复", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
