"""Reads: need/free text → patents, patent → enterprises, institution brokering. Visibility is decided here.

Enterprises and every non-institution role only ever get POOLED patents (转化资源库); institution staff also get
their own institution's records in any state (through `inventory_visible`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.matching import MatchHit, NeedQuery
from panhuo.accounts.models import Organization, OrganizationType, Role
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.demand.models import EnterpriseProfile, Need
from panhuo.demand.selectors import needs_visible
from panhuo.evaluation.selectors import value_priors
from panhuo.matching import index as idx
from panhuo.matching.documents import (
    industry_label,
    ipc_labels,
    need_labels,
    need_text,
    patent_labels,
    patent_text,
)
from panhuo.matching.models import IndexBuild, Notification, PushedMatch
from panhuo.patents.models import Patent, PatentIndustry
from panhuo.patents.selectors import inventory_visible, patent_get

MAX_QUERY_CHARS = 2000
BROKER_ROLES = (Role.INSTITUTION_ADMIN, Role.COLLEGE_ADMIN, Role.AGENCY_USER, Role.OFFICE_OFFICIAL)


@dataclass(frozen=True)
class PatentMatch:
    patent: Patent
    hit: MatchHit


@dataclass(frozen=True)
class EnterpriseMatch:
    organization: Organization
    industry_name: str
    hit: MatchHit


def recommendable_patent_ids(user: Any, patent_ids: Sequence[int]) -> set[int]:
    """The subset of `patent_ids` this user may be recommended (pooled; plus own institution's for its staff)."""
    return set(
        inventory_visible(user).filter(patent_id__in=list(patent_ids)).values_list("patent_id", flat=True)
    )


def _priors(ids: Sequence[int]) -> dict[int, float]:
    return value_priors(ids)


def make_query(text: str, labels: Sequence[str], top_k: int) -> NeedQuery:
    text = (text or "").strip()
    if not text:
        raise ApplicationError("empty_query", "请输入需求描述或关键词", "Enter a need or keywords", "q")
    if not 1 <= top_k <= 100:
        raise ApplicationError("bad_top_k", "返回条数须在 1–100 之间", "top must be 1–100", "top")
    return NeedQuery(text=text[:MAX_QUERY_CHARS], labels=tuple(labels), top_k=top_k)


def query_labels(industry: str = "", ipc: Sequence[str] = ()) -> tuple[str, ...]:
    labels = ipc_labels(ipc)
    if industry.strip():
        labels.append(industry_label("gbt4754", industry))
    return tuple(labels)


def match_patents(query: NeedQuery, allowed: Any = None) -> list[PatentMatch]:
    """Run a query against the patent index; `allowed(ids) -> set` restricts what may be returned (None: all)."""
    index = idx.patent_index()
    if index is None:
        return []
    hits = index.search(query, priors=_priors, allowed=allowed)
    patents = Patent.objects.in_bulk([h.doc_id for h in hits])
    return [PatentMatch(patents[h.doc_id], h) for h in hits if h.doc_id in patents]


def patents_for_text(
    user: Any, text: str, *, industry: str = "", ipc: Sequence[str] = (), top_k: int = 10
) -> list[PatentMatch]:
    """Free text (+ optional industry code / IPC) → patents the user may be recommended."""
    query = make_query(text, query_labels(industry, ipc), top_k)
    return match_patents(query, lambda ids: recommendable_patent_ids(user, ids))


def patents_for_need(user: Any, need_id: int, *, top_k: int = 10) -> tuple[Need, list[PatentMatch]]:
    need = needs_visible(user).filter(pk=need_id).first()
    if need is None:
        raise NotFound()
    query = make_query(need_text(need), need_labels(need), top_k)
    return need, match_patents(query, lambda ids: recommendable_patent_ids(user, ids))


def patent_query(patent: Patent, top_k: int) -> NeedQuery:
    industries = list(
        PatentIndustry.objects.filter(patent=patent, scheme__in=["gbt4754", "sei"]).values_list(
            "scheme", "code"
        )
    )
    return NeedQuery(text=patent_text(patent)[:400], labels=patent_labels(patent, industries), top_k=top_k)


def enterprises_for_patent(
    user: Any, patent_id: int, *, top_k: int = 10
) -> tuple[Patent, list[EnterpriseMatch]]:
    """A patent the user may see → enterprises whose profile, industry and needs fit it (no contact data)."""
    if getattr(user, "role", None) not in BROKER_ROLES:
        raise PermissionRefused()
    patent = patent_get(user, patent_id)
    return patent, enterprises_matching(patent, top_k)


def enterprises_matching(patent: Patent, top_k: int) -> list[EnterpriseMatch]:
    index = idx.enterprise_index()
    if index is None:
        return []
    enterprise_orgs = set(
        Organization.objects.filter(type=OrganizationType.ENTERPRISE).values_list("pk", flat=True)
    )
    hits = index.search(patent_query(patent, top_k), allowed=lambda ids: set(ids) & enterprise_orgs)
    orgs = Organization.objects.in_bulk([h.doc_id for h in hits])
    names = dict(
        EnterpriseProfile.objects.filter(organization_id__in=list(orgs)).values_list(
            "organization_id", "industry_name"
        )
    )
    return [EnterpriseMatch(orgs[h.doc_id], names.get(h.doc_id, ""), h) for h in hits if h.doc_id in orgs]


def broker_patents(user: Any) -> list[Patent]:
    """Institution staff: their own pooled patents (the brokering list); agencies/offices: none by default."""
    if (
        getattr(user, "role", None) not in (Role.INSTITUTION_ADMIN, Role.COLLEGE_ADMIN)
        or not user.organization_id
    ):
        return []
    ids = (
        inventory_visible(user)
        .filter(organization_id=user.organization_id, state="pooled")
        .values_list("patent_id", flat=True)
    )
    return list(Patent.objects.filter(pk__in=list(ids)).order_by("pk")[:200])


def enterprises_for_patents(
    user: Any, patent_ids: Sequence[int], *, top_k: int = 5
) -> list[tuple[Patent, list[EnterpriseMatch]]]:
    """Brokering: each of a list of visible patents → its best enterprises."""
    if getattr(user, "role", None) not in BROKER_ROLES:
        raise PermissionRefused()
    patents = [patent_get(user, pid) for pid in list(dict.fromkeys(int(p) for p in patent_ids))[:50]]
    return [(p, enterprises_matching(p, top_k)) for p in patents]


def notifications_of(user: Any) -> list[Notification]:
    if not getattr(user, "organization_id", None):
        return []
    return list(Notification.objects.filter(organization_id=user.organization_id)[:50])


def pushed_of(user: Any) -> list[PushedMatch]:
    if getattr(user, "role", None) != Role.ENTERPRISE_USER or not user.organization_id:
        return []
    return list(PushedMatch.objects.filter(enterprise_id=user.organization_id).select_related("patent")[:100])


def latest_builds(limit: int = 10) -> list[IndexBuild]:
    return list(IndexBuild.objects.all()[:limit])
