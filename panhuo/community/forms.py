"""Forms: every field optional here, so the service reports every missing or bad value at once."""

from __future__ import annotations

from django import forms

from panhuo.community.models import CaseCategory, EventKind, ServiceType

_DT = {"type": "datetime-local"}
_D = {"type": "date"}


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 30})


class CaseForm(forms.Form):
    title = forms.CharField(label="案例名称", max_length=200, required=False)
    category = forms.ChoiceField(
        label="案例类型", choices=[("", "请选择"), *CaseCategory.choices], required=False
    )
    summary = forms.CharField(label="摘要", widget=_area(), required=False)
    background = forms.CharField(label="背景", widget=_area(), required=False)
    process = forms.CharField(label="转化过程", widget=_area(4), required=False)
    effects = forms.CharField(label="转化成效", widget=_area(), required=False)
    contract = forms.CharField(label="合同金额（元）", max_length=30, required=False)
    revenue = forms.CharField(label="新增销售收入（元）", max_length=30, required=False)
    jobs = forms.IntegerField(label="新增就业（人）", required=False)
    lessons = forms.CharField(label="经验启示", widget=_area(), required=False)
    deal_codes = forms.CharField(label="关联交易（交易编号，每行一个）", widget=_area(2), required=False)
    patents = forms.CharField(
        label="关联专利（申请号或名称，每行一个；关联交易的专利自动加入）", widget=_area(2), required=False
    )


class ReviewForm(forms.Form):
    reason = forms.CharField(label="退回原因", widget=_area(2), required=False, max_length=2000)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label="活动类型", choices=[("", "请选择"), *EventKind.choices], required=False)
    title = forms.CharField(label="活动名称", max_length=200, required=False)
    description = forms.CharField(label="活动简介", widget=_area(), required=False)
    starts_at = forms.DateTimeField(label="开始时间", widget=forms.DateTimeInput(attrs=_DT), required=False)
    ends_at = forms.DateTimeField(label="结束时间", widget=forms.DateTimeInput(attrs=_DT), required=False)
    online = forms.BooleanField(label="线上活动", required=False)
    place = forms.CharField(label="地点 / 线上会议室", max_length=300, required=False)
    capacity = forms.IntegerField(label="名额", required=False)
    per_org_limit = forms.IntegerField(label="每单位限报人数（0 为不限）", required=False)
    registration_closes_at = forms.DateTimeField(
        label="报名截止", widget=forms.DateTimeInput(attrs=_DT), required=False
    )
    needs = forms.MultipleChoiceField(
        label="推介的技术需求", required=False, widget=forms.CheckboxSelectMultiple
    )
    patents = forms.CharField(label="推介的专利（申请号或名称，每行一个）", widget=_area(2), required=False)


class ProposalForm(forms.Form):
    patent = forms.CharField(label="推荐专利（申请号或名称）", max_length=300, required=False)
    need = forms.TypedChoiceField(label="技术需求", coerce=int, empty_value=None, required=False)
    reason = forms.CharField(label="推荐理由", widget=_area(), required=False)
    event = forms.TypedChoiceField(label="来源活动（可选）", coerce=int, empty_value=None, required=False)


class DecisionForm(forms.Form):
    note = forms.CharField(label="说明（可选）", max_length=500, required=False)


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(
        label="服务类型", choices=[("", "请选择"), *ServiceType.choices], required=False
    )
    started_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs=_D), required=False)
    ended_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs=_D), required=False)
    fee = forms.CharField(label="服务费（元）", max_length=30, required=False)
    proposal = forms.TypedChoiceField(label="撮合建议（可选）", coerce=int, empty_value=None, required=False)
    deal_code = forms.CharField(label="撮合成交的交易编号（可选）", max_length=32, required=False)
    manager = forms.TypedChoiceField(label="技术经理人（可选）", coerce=int, empty_value=None, required=False)
    notes = forms.CharField(label="说明", widget=_area(2), required=False)


class ManagerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=100, required=False)
    qualification = forms.CharField(label="资格（如 技术经理人（中级））", max_length=100, required=False)
    certificate_no = forms.CharField(label="证书编号（不公开）", max_length=64, required=False)
    fields_text = forms.CharField(label="服务领域", max_length=300, required=False)
    bio = forms.CharField(label="简介", widget=_area(), required=False)
    public_consent = forms.BooleanField(label="同意在公共服务页面展示我的档案和业绩", required=False)


class OriginForm(forms.Form):
    event = forms.TypedChoiceField(label="来源活动", coerce=int, empty_value=None, required=False)
    broker = forms.TypedChoiceField(label="撮合服务机构", coerce=int, empty_value=None, required=False)
    proposal = forms.TypedChoiceField(label="撮合建议", coerce=int, empty_value=None, required=False)
    manager = forms.TypedChoiceField(label="技术经理人", coerce=int, empty_value=None, required=False)
