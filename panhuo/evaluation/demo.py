"""Demo: default weight sets and tier rules, a few labelled demo assessments, scores for every patent."""

from __future__ import annotations

import time
from typing import Any

from panhuo.accounts.models import Organization, User
from panhuo.evaluation.models import Assessment, AssessmentKind, WeightSet
from panhuo.evaluation.policies import defaults_ensure
from panhuo.evaluation.scoring import scores_recompute
from panhuo.evaluation.services import (
    assessment_enterprise_create,
    assessment_institution_create,
    weightset_create,
)
from panhuo.patents.models import InventoryRecord, InventoryState

INSTITUTION = "DEMO-UNI-1"
# (value grade, TRL, prospect, mode, price range in yuan, comment) for the first pooled demo patents
TTO_VIEWS = [
    ("A", 7, "good", "licence", (200_000, 500_000), "技术成熟，已有企业询价，建议普通许可。[演示]"),
    ("C", 4, "fair", "open_licence", (20_000, 50_000), "尚需中试，建议开放许可降低门槛。[演示]"),
    ("D", 2, "poor", "transfer", (5_000, 10_000), "应用场景有限，年费到期前复核。[演示]"),
]
ENTERPRISE_VIEWS = [
    ("good", "希望提高量产良率", "strong", "愿意联合开展中试。[演示]"),
    ("fair", "需要降低成本", "some", ""),
    ("good", "", "some", "与我司产品线契合。[演示]"),
]


def load(out: Any) -> None:
    started = time.monotonic()
    defaults_ensure()
    org = Organization.objects.filter(code=INSTITUTION).first()
    admin = User.objects.filter(username="demo_institution_admin").first()
    enterprise_user = User.objects.filter(username="demo_enterprise").first()
    pooled = []
    if org is not None:
        pooled = [
            r.patent
            for r in InventoryRecord.objects.filter(organization=org, state=InventoryState.POOLED)
            .select_related("patent")
            .order_by("patent_id")[: len(TTO_VIEWS)]
        ]
    made = 0
    if admin is not None and org is not None:
        if not WeightSet.objects.filter(organization=org, scenario="licensing").exists():
            base = WeightSet.objects.get(organization=None, scenario="licensing", version=1).weights
            weightset_create(
                actor=admin,
                organization=org,
                scenario="licensing",
                weights={**base, "maturity": 0.12, "demand_signals": 0.10},
                note="演示：本校更看重成熟度与企业需求",
            )
        for patent, (grade, trl, prospect, mode, (lo, hi), comment) in zip(pooled, TTO_VIEWS, strict=False):
            if Assessment.objects.filter(
                patent=patent, kind=AssessmentKind.INSTITUTION, is_demo=True
            ).exists():
                continue
            assessment_institution_create(
                actor=admin,
                patent=patent,
                trl=trl,
                value_grade=grade,
                prospect=prospect,
                recommended_mode=mode,
                price_min_fen=lo * 100,
                price_max_fen=hi * 100,
                comment=comment,
                is_demo=True,
            )
            made += 1
        if pooled and not Assessment.objects.filter(patent=pooled[0], kind=AssessmentKind.EXPERT).exists():
            assessment_institution_create(
                actor=admin,
                patent=pooled[0],
                trl=5,
                value_grade="B",
                prospect="fair",
                recommended_mode="licence",
                price_min_fen=None,
                price_max_fen=None,
                comment="权利要求保护范围偏窄，建议补充外围专利。[演示]",
                expert_name="刘教授（演示专家）",
                is_demo=True,
            )
            made += 1
    if enterprise_user is not None and enterprise_user.organization_id is not None:
        for patent, (prospect, need, coop, comment) in zip(pooled, ENTERPRISE_VIEWS, strict=False):
            if Assessment.objects.filter(
                patent=patent, kind=AssessmentKind.ENTERPRISE, organization_id=enterprise_user.organization_id
            ).exists():  # already evaluated (idempotent)
                continue
            assessment_enterprise_create(
                actor=enterprise_user,
                patent=patent,
                prospect=prospect,
                improvement_need=need,
                cooperation=coop,
                comment=comment,
                is_demo=True,
            )
            made += 1
    rows = scores_recompute()
    out.write(
        f"  评价：新增演示评价 {made} 条，评分 {rows} 行（3 个场景），用时 {time.monotonic() - started:.1f}s"
    )
