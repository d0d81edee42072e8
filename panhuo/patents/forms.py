"""Forms: parse the 建档 form and review actions; validation of the official values lives in services."""

from __future__ import annotations

from typing import Any

from django import forms

from panhuo.accounts.models import College, Role, User
from panhuo.patents.models import ConversionMode, ImplementationStatus, ValueSelfGrade

_YES_NO = [("", "—"), ("yes", "是"), ("no", "否")]


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class InventoryFillForm(forms.Form):
    """The 建档 form (explicit fields only: organization, state and owner are never form input)."""

    first_inventor = forms.CharField(label="第一发明人", max_length=100, required=False)
    proxy_filing = forms.BooleanField(label="代为建档（第一发明人为学生或已退休）", required=False)
    fiscal_funded = forms.ChoiceField(label="是否财政资助科研项目形成", choices=_YES_NO, required=False)
    implementation_status = forms.ChoiceField(
        label="专利实施状态", choices=[("", "—"), *ImplementationStatus.choices], required=False
    )
    conversion_intent = forms.ChoiceField(label="有转化意愿", choices=_YES_NO, required=False)
    conversion_modes = forms.MultipleChoiceField(
        label="可接受的转化方式",
        choices=ConversionMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trl = forms.TypedChoiceField(
        label="技术成熟度（TRL 1–9）",
        choices=[("", "—"), *[(str(n), str(n)) for n in range(1, 10)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    value_self_grade = forms.ChoiceField(
        label="专利价值分级自评", choices=[("", "—"), *ValueSelfGrade.choices], required=False
    )
    application_scenarios = forms.CharField(
        label="应用场景", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    industrialisation_prospects = forms.CharField(
        label="产业化前景", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    contact_name = forms.CharField(label="联系人", max_length=100, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    contact_email = forms.CharField(label="联系邮箱", max_length=254, required=False)
    portfolio = forms.CharField(
        label="项目组合", max_length=100, required=False, help_text="专利所属的项目组合（专利包）名称，可不填"
    )

    @classmethod
    def initial_from(cls, record: Any) -> dict[str, Any]:
        def tri(value: bool | None) -> str:
            return "" if value is None else ("yes" if value else "no")

        return {
            "first_inventor": record.first_inventor,
            "proxy_filing": record.proxy_filing,
            "fiscal_funded": tri(record.fiscal_funded),
            "implementation_status": record.implementation_status,
            "conversion_intent": tri(record.conversion_intent),
            "conversion_modes": record.conversion_modes,
            "trl": "" if record.trl is None else str(record.trl),
            "value_self_grade": record.value_self_grade,
            "application_scenarios": record.application_scenarios,
            "industrialisation_prospects": record.industrialisation_prospects,
            "contact_name": record.contact_name,
            "contact_phone": record.contact_phone,
            "contact_email": record.contact_email,
            "portfolio": record.portfolio,
        }

    def changes(self) -> dict[str, Any]:
        """The cleaned values in the shape `inventory_fill` takes."""
        data = dict(self.cleaned_data)
        data.pop("proxy_filing", None)
        data["fiscal_funded"] = _tri(data["fiscal_funded"])
        data["conversion_intent"] = _tri(data["conversion_intent"])
        return data


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label="审核意见 / 退回原因", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AssignForm(forms.Form):
    """Institution admin: which college a record belongs to, and which inventor accounts may file it."""

    college = forms.ModelChoiceField(
        label="学院", queryset=College.objects.none(), required=False, empty_label="（不分配学院）"
    )
    inventor_users = forms.ModelMultipleChoiceField(
        label="发明人账号", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        college_field = self.fields["college"]
        inventors_field = self.fields["inventor_users"]
        assert isinstance(college_field, forms.ModelChoiceField)
        assert isinstance(inventors_field, forms.ModelMultipleChoiceField)
        college_field.queryset = College.objects.filter(organization_id=organization_id)
        inventors_field.queryset = User.objects.filter(
            organization_id=organization_id, role=Role.INVENTOR, is_active=True
        ).order_by("display_name", "username")
