"""Turn database rows into engine documents: patents (index side) and enterprises (reverse direction)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.db.models import QuerySet

from engine.matching import PatentDoc
from engine.matching.corpus import dense_text, document_text, ipc_labels
from panhuo.demand.models import EnterpriseProfile, Need, NeedStatus
from panhuo.patents.models import Patent, PatentIndustry

__all__ = ["ipc_labels"]


def industry_label(scheme: str, code: str) -> str:
    return f"{scheme}:{code.strip().upper()}"


def patent_text(patent: Patent) -> str:
    return document_text(patent.title, patent.abstract or "")


def patent_dense_text(patent: Patent) -> str:
    return dense_text(patent.title, patent.abstract or "")


def patent_labels(patent: Patent, industries: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    codes = [patent.ipc_main, *(patent.ipc_codes or [])] if patent.ipc_main else list(patent.ipc_codes or [])
    return tuple(ipc_labels(codes) + [industry_label(s, c) for s, c in industries])


def patent_docs(patents: QuerySet[Patent], *, chunk: int = 2000) -> Iterator[PatentDoc]:
    """Documents for a queryset of patents, in pk order, fetched in chunks with their industry codes."""
    qs = patents.order_by("pk").only("pk", "title", "abstract", "ipc_main", "ipc_codes")
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last)[:chunk])
        if not rows:
            return
        industries: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for pid, scheme, code in PatentIndustry.objects.filter(
            patent_id__in=[p.pk for p in rows], scheme__in=["gbt4754", "sei"]
        ).values_list("patent_id", "scheme", "code"):
            industries[pid].append((scheme, code))
        for p in rows:
            yield PatentDoc(
                doc_id=p.pk,
                text=patent_text(p),
                dense_text=patent_dense_text(p),
                labels=patent_labels(p, industries[p.pk]),
            )
        last = rows[-1].pk


def need_labels(need: Need) -> tuple[str, ...]:
    labels = ipc_labels(need.ipc_hints or [])
    if need.industry_code:
        labels.append(industry_label("gbt4754", need.industry_code))
    return tuple(labels)


def need_text(need: Need) -> str:
    return f"{need.title}。{need.description}"


def enterprise_docs(profiles: QuerySet[EnterpriseProfile]) -> list[PatentDoc]:
    """One document per enterprise: name, industry, scope, technical focus, open needs (+ their IPC hints)."""
    profiles = profiles.select_related("organization").order_by("organization_id")
    org_ids = [p.organization_id for p in profiles]
    needs: dict[int, list[Need]] = defaultdict(list)
    for need in Need.objects.filter(
        enterprise_id__in=org_ids, status__in=[NeedStatus.OPEN, NeedStatus.ANSWERED]
    ).order_by("pk"):
        needs[need.enterprise_id].append(need)
    docs = []
    for profile in profiles:
        org_needs = needs[profile.organization_id]
        parts = [
            profile.organization.name,
            profile.industry_name,
            profile.technical_focus,
            profile.business_scope[:300],
            *(need_text(n)[:300] for n in org_needs[:5]),
        ]
        labels: list[str] = []
        if profile.industry_code:
            labels.append(industry_label("gbt4754", profile.industry_code))
        for n in org_needs:
            labels.extend(lab for lab in need_labels(n) if lab not in labels)
        text = "。".join(p for p in parts if p)
        focus = "。".join(p for p in [profile.technical_focus, *(n.title for n in org_needs[:3])] if p)
        docs.append(
            PatentDoc(
                doc_id=profile.organization_id,
                text=text,
                dense_text=(focus or text)[:200],
                labels=tuple(labels),
            )
        )
    return docs


def enterprise_query_text(doc: PatentDoc) -> str:
    return doc.dense_text or doc.text[:200]
