"""Template filters over panhuo.common.labels: {% load labels %} … {{ code|region_name }}."""

from __future__ import annotations

from django import template

from panhuo.common import labels

register = template.Library()

register.filter("region_name", labels.region_name)
register.filter("period_label", labels.period_label)
register.filter("audit_action", labels.audit_action_label)
register.filter("match_reason", labels.match_reason)
register.filter("policy_source", labels.policy_source)
register.filter("audit_result", labels.audit_result_label)
register.filter("tag_name", lambda code: labels.industry_label(code, ""))


@register.filter
def audit_object(event: object) -> str:
    return labels.audit_object_label(getattr(event, "object_type", ""), getattr(event, "object_id", ""))


@register.filter
def industry(code: str, name: str = "") -> str:
    return labels.industry_label(code, name)
