"""HTML forms: parse what people type; the meaning is checked by the services (all errors at once)."""

from __future__ import annotations

import re
import unicodedata

from django import forms

from panhuo.disclosures.models import Decision, FundingSource
from panhuo.disclosures.services import DisclosureContent, InventorShare

_SPLIT = re.compile(r"[\s,，;；、|]+")


def parse_inventor_lines(text: str) -> list[InventorShare]:
    """'张三 60\\n李四 40%' -> [InventorShare('张三', '60'), …]; a line without a share keeps share ''."""
    out = []
    for line in unicodedata.normalize("NFKC", text or "").splitlines():
        parts = [p for p in _SPLIT.split(line.strip()) if p]
        if not parts:
            continue
        if len(parts) >= 2:
            out.append(InventorShare(" ".join(parts[:-1]), parts[-1]))
        else:
            out.append(InventorShare(parts[0], ""))
    return out


def split_projects(text: str) -> list[str]:
    return [p for p in _SPLIT.split(unicodedata.normalize("NFKC", text or "")) if p]


class DisclosureForm(forms.Form):
    title = forms.CharField(label="发明名称", max_length=200)
    field = forms.CharField(label="技术领域", max_length=200)
    problem = forms.CharField(label="要解决的技术问题", widget=forms.Textarea(attrs={"rows": 4}))
    solution = forms.CharField(label="技术方案", widget=forms.Textarea(attrs={"rows": 8}))
    advantages = forms.CharField(label="有益效果", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    prior_art = forms.CharField(
        label="已知的现有技术（文献、专利号）", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    inventors = forms.CharField(
        label="发明人及贡献比例（每行一人：姓名 比例%，合计 100%）",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "张三 60\n李四 40"}),
    )
    funding_source = forms.ChoiceField(label="经费来源", choices=[("", "—")] + list(FundingSource.choices))
    funding_projects = forms.CharField(
        label="财政资助项目编号（多个用逗号分隔）", max_length=500, required=False
    )
    planned_publication_on = forms.DateField(
        label="计划公开（发表）日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_publication = forms.CharField(
        label="计划公开方式（论文、会议、展会）", max_length=200, required=False
    )

    def content(self) -> DisclosureContent:
        d = self.cleaned_data
        return DisclosureContent(
            title=d["title"],
            field=d["field"],
            problem=d["problem"],
            solution=d["solution"],
            advantages=d["advantages"],
            prior_art=d["prior_art"],
            inventors=parse_inventor_lines(d["inventors"]),
            funding_source=d["funding_source"],
            funding_projects=split_projects(d["funding_projects"]),
            planned_publication_on=d["planned_publication_on"],
            planned_publication=d["planned_publication"],
        )


class EvaluationForm(forms.Form):
    novelty_notes = forms.CharField(
        label="新颖性检索意见", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    market_prospects = forms.CharField(
        label="市场前景", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    industrialisation_prospects = forms.CharField(
        label="产业化前景", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    decision = forms.ChoiceField(
        label="评估结论", choices=[("", "—")] + list(Decision.choices), required=False
    )
    reasons = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    deadline = forms.DateField(
        label="办理期限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class FilingForm(forms.Form):
    filed_on = forms.DateField(label="申请日", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    agency = forms.CharField(label="代理机构", max_length=200, required=False)
    app_no = forms.CharField(label="申请号（已知时填写，也可以以后补登）", max_length=40, required=False)


class LinkForm(forms.Form):
    app_no = forms.CharField(label="申请号", max_length=40)
