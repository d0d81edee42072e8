"""`panhuo score --patent KEY [--scenario NAME] --json` and `panhuo score --all` (with progress)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from engine.identifiers.application_number import normalise_application_number, normalise_publication_number
from panhuo.evaluation.models import Scenario, ValueScore
from panhuo.evaluation.scoring import scores_recompute
from panhuo.evaluation.selectors import score_document
from panhuo.patents.models import Patent


class Command(BaseCommand):
    help = "Score patents (GB/T 42748 structure, cohort-normalised). 专利价值评分。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--patent", help="申请号 or publication number")
        parser.add_argument("--scenario", default=Scenario.LICENSING, choices=Scenario.values)
        parser.add_argument("--json", action="store_true", help="print the score document as JSON")
        parser.add_argument("--all", action="store_true", help="rescore every patent")
        parser.add_argument("--organization", help="rescore one institution's patents (organization code)")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["all"] or o["organization"]:
            self._all(o["organization"])
            return
        if not o["patent"]:
            raise CommandError("give --patent KEY or --all")
        patent = _find(o["patent"])
        scores_recompute(patent_ids=[patent.pk], scenarios=[o["scenario"]])
        vs = ValueScore.objects.select_related("patent", "weight_set").get(
            patent=patent, scenario=o["scenario"]
        )
        doc = score_document(vs)
        if o["json"]:
            self.stdout.write(json.dumps(cli_document(doc), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{doc['patent']}  {doc['score']:.1f}  {doc['model_version']}  {doc['tier']}")
        for i in doc["indicators"]:
            shown = "缺失 missing" if i["missing"] else f"{i['value']:.3f}"
            self.stdout.write(
                f"  {i['label']:<20} {shown:>14}  w={i['weight']:.3f}  +{i['contribution']:.2f}"
            )

    def _all(self, org_code: str | None) -> None:
        org_id = None
        if org_code:
            from panhuo.accounts.models import Organization

            org = Organization.objects.filter(code=org_code).first()
            if org is None:
                raise CommandError(f"unknown organization {org_code}")
            org_id = org.pk
        bar = tqdm(total=0, unit="score", disable=None)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        n = scores_recompute(organization_id=org_id, progress=progress)
        bar.close()
        self.stdout.write(f"已评分 scored rows: {n}")


def _find(key: str) -> Patent:
    cleaned = key.strip()
    candidates = Q(app_no=cleaned) | Q(pub_no=cleaned)
    try:
        candidates |= Q(app_no=normalise_application_number(cleaned))
    except ValueError:
        pass  # not an application number: try it as a publication number
    try:
        pub_no, kind = normalise_publication_number(cleaned)
        candidates |= Q(pub_no=pub_no, pub_kind=kind) if kind else Q(pub_no=pub_no)
    except ValueError:
        pass
    patent = Patent.objects.filter(candidates).first()
    if patent is None:
        raise CommandError(f"patent not found: {key}")
    return patent


ISSUE_KEYS = (
    "patent",
    "score",
    "model_version",
    "dimensions",
    "indicators",
    "high_value",
    "sleeping",
    "tier",
    "tier_reason",
)
INDICATOR_KEYS = ("name", "dimension", "value", "weight", "contribution", "missing")


def cli_document(doc: dict[str, Any]) -> dict[str, Any]:
    """Exactly the shape issue 4 specifies (the API's document carries labels, raw values and base weights too)."""
    out = {k: doc[k] for k in ISSUE_KEYS}
    out["indicators"] = [{k: i[k] for k in INDICATOR_KEYS} for i in doc["indicators"]]
    return out
