"""满意度调查 (KPI cq10 ≥ 90%) and 专利产品备案 records."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from panhuo.accounts.models import INSTITUTION_ROLES, Organization, Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.monitoring.models import SurveyResponse

SURVEY_ROLES = (*INSTITUTION_ROLES, Role.ENTERPRISE_USER)


def survey_submit(
    *, actor: User, score: int, comment: str = "", year: int | None = None, is_demo: bool = False
) -> SurveyResponse:
    """One answer per user and year: 1 (very dissatisfied) … 5 (very satisfied); ≥ 4 counts as satisfied."""
    if getattr(actor, "role", None) not in SURVEY_ROLES or actor.organization is None:
        raise PermissionRefused(
            "仅高校院所和企业用户可填写满意度调查", "Only institution and enterprise users answer"
        )
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ApplicationError("bad_score", "评分须为 1–5", "score must be 1-5", field="score")
    y = year or timezone.localdate().year
    org: Organization = actor.organization
    try:
        with transaction.atomic():
            answer = SurveyResponse.objects.create(
                respondent=actor,
                organization=org,
                region_code=org.region_code,
                respondent_type="enterprise" if actor.role == Role.ENTERPRISE_USER else "institution",
                year=y,
                score=score,
                comment=comment[:2000],
                is_demo=is_demo,
            )
            audit_record("survey.submit", actor=actor, obj=answer, detail={"year": y, "score": score})
    except IntegrityError:
        raise ApplicationError(
            "already_answered", "本年度已填写", "already answered this year", field="score"
        )
    return answer
