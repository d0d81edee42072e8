"""Forms for assessments, weights and list filters."""

from __future__ import annotations

from typing import Any

from django import forms

from engine.scoring import INDICATORS
from engine.scoring.flags import HIGH_VALUE_CATEGORIES, HIGH_VALUE_LABELS
from engine.scoring.indicators import DIMENSION_LABELS
from panhuo.evaluation.models import Prospect, Scenario, Tier, Willingness
from panhuo.patents.models import ConversionMode, ValueSelfGrade


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "—"), *list(choices)]


class InstitutionAssessmentForm(forms.Form):
    trl = forms.IntegerField(label="技术成熟度 TRL (1-9)", min_value=1, max_value=9, required=False)
    value_grade = forms.ChoiceField(label="价值分级", choices=_blank(ValueSelfGrade.choices), required=False)
    prospect = forms.ChoiceField(label="产业化前景", choices=_blank(Prospect.choices), required=False)
    recommended_mode = forms.ChoiceField(
        label="建议转化方式", choices=_blank(ConversionMode.choices), required=False
    )
    price_min_yuan = forms.IntegerField(label="建议价格下限(元)", min_value=0, required=False)
    price_max_yuan = forms.IntegerField(label="建议价格上限(元)", min_value=0, required=False)
    expert_name = forms.CharField(label="专家姓名(记录专家评价时填写)", max_length=100, required=False)
    comment = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class EnterpriseEvaluationForm(forms.Form):
    prospect = forms.ChoiceField(label="产业化前景", choices=Prospect.choices)
    improvement_need = forms.CharField(
        label="技术改进需求", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    cooperation = forms.ChoiceField(label="产学研合作意愿", choices=Willingness.choices)
    comment = forms.CharField(label="其他意见", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class WeightsForm(forms.Form):
    note = forms.CharField(label="调整说明", max_length=200, required=False)

    def __init__(self, *args: Any, initial_weights: dict[str, float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for ind in INDICATORS:
            self.fields[f"w_{ind.name}"] = forms.FloatField(
                label=f"{DIMENSION_LABELS[ind.dimension]} · {ind.label_zh}",
                min_value=0.0,
                max_value=100.0,
                initial=initial_weights.get(ind.name, 0.0),
            )

    def weights(self) -> dict[str, float]:
        return {ind.name: float(self.cleaned_data[f"w_{ind.name}"]) for ind in INDICATORS}


class ScoreFilterForm(forms.Form):
    scenario = forms.ChoiceField(label="场景", choices=Scenario.choices, required=False)
    tier = forms.ChoiceField(label="推广层级", choices=_blank(Tier.choices), required=False)
    min_score = forms.FloatField(label="最低分", min_value=0, max_value=100, required=False)
    max_score = forms.FloatField(label="最高分", min_value=0, max_value=100, required=False)
    high_value = forms.ChoiceField(
        label="高价值",
        choices=[("", "—"), ("any", "任一类别"), *[(c, HIGH_VALUE_LABELS[c]) for c in HIGH_VALUE_CATEGORIES]],
        required=False,
    )
    sleeping = forms.ChoiceField(
        label="沉睡专利", choices=[("", "—"), ("1", "是"), ("0", "否")], required=False
    )
    organization = forms.TypedChoiceField(label="机构", coerce=int, required=False, empty_value=None)
    college = forms.TypedChoiceField(label="学院", coerce=int, required=False, empty_value=None)
    industry = forms.CharField(label="行业/产业代码", max_length=16, required=False)

    def __init__(
        self, *args: Any, organizations: list[tuple[int, str]], colleges: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "—"), *organizations]  # type: ignore[attr-defined]
        self.fields["college"].choices = [("", "—"), *colleges]  # type: ignore[attr-defined]


class TierRuleForm(forms.Form):
    priority = forms.IntegerField(label="优先级", min_value=1, max_value=999)
    tier = forms.ChoiceField(label="层级", choices=Tier.choices)
    min_score = forms.FloatField(label="最低分(含)", min_value=0, max_value=100, required=False)
    max_score = forms.FloatField(label="最高分(不含)", min_value=0, max_value=100, required=False)
    require_high_value_or_positive = forms.BooleanField(label="需高价值或正面评价", required=False)
    min_demand = forms.IntegerField(label="最少需求信号", min_value=0, required=False)
    fee_due_within_days = forms.IntegerField(label="年费到期天数内", min_value=0, required=False)
    reason_zh = forms.CharField(label="原因说明", max_length=200)


TierRuleFormSet = forms.formset_factory(TierRuleForm, extra=1, can_delete=True, max_num=12)
