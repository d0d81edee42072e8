"""Every patent's industries: GB/T 4754 (小类 + 大类 roll-up), SEI category, tags, historic IPC codes.

Pull model: classification never calls patents. This module recomputes when the active concordance editions'
watermark changes (periodic task), and picks up patents that have no industry rows yet (self-healing).
It also refreshes the per-node patent counts that the classification browse pages show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from engine.classification.ipc import IpcError, parse_ipc
from panhuo.classification.classifier import Compiled, classify_codes, compiled, edition_watermark
from panhuo.classification.models import ClassificationRun, NodeCount
from panhuo.common.audit import audit_record
from panhuo.patents.models import Patent, PatentIndustry

TOP_INDUSTRIES = 3
TOP_SEI = 3
BATCH = 500


def _codes(patent: Patent) -> list[str]:
    """Valid canonical codes, main first; invalid stored codes are skipped (they were reported at import)."""
    raw = list(patent.ipc_codes or [])
    if patent.ipc_main and patent.ipc_main not in raw:
        raw.insert(0, patent.ipc_main)
    out: list[str] = []
    for code in raw:
        try:
            c = parse_ipc(code).code
        except IpcError:
            continue
        if c not in out:
            out.append(c)
    return out


def industry_rows_for(
    patent: Patent, using: Compiled | None = None
) -> tuple[list[PatentIndustry], list[str]]:
    """The PatentIndustry rows (unsaved) and the historic codes of one patent."""
    codes = _codes(patent)
    if not codes:
        return [], []
    snapshot = using or compiled()
    c = classify_codes(codes, f"{patent.title} {patent.abstract}", top=TOP_INDUSTRIES, using=snapshot)
    rows: list[PatentIndustry] = []
    derived = c.industry_derived
    source = ("derived:" if derived else "official:") + c.industry_edition
    names = snapshot.names
    divisions: dict[str, float] = {}
    for hit in c.industries:
        rows.append(
            PatentIndustry(
                patent=patent,
                scheme=PatentIndustry.Scheme.GBT4754,
                code=hit.code,
                name=hit.name[:200],
                level=len(hit.code) if hit.code[:1].isdigit() else 1,
                confidence=hit.confidence,
                source=source[:64],
                derived=derived,
            )
        )
        div = hit.code[:2]
        if len(hit.code) > 2 and div not in divisions:
            divisions[div] = hit.confidence
    for div, conf in divisions.items():  # roll-up 小类 -> 大类 for the industry facets
        if all(r.code != div for r in rows):
            rows.append(
                PatentIndustry(
                    patent=patent,
                    scheme=PatentIndustry.Scheme.GBT4754,
                    code=div,
                    name=names.get(div, "")[:200],
                    level=2,
                    confidence=conf,
                    source=source[:64],
                    derived=derived,
                )
            )
    for hit in c.sei[:TOP_SEI]:
        via = hit.sources[0] if hit.sources else ""
        rows.append(
            PatentIndustry(
                patent=patent,
                scheme=PatentIndustry.Scheme.SEI,
                code=hit.code,
                name=hit.name[:200],
                level=2,
                confidence=hit.confidence,
                source=("derived:via-gbt4754" if via.startswith("via-gbt4754") else "sei:2021")[:64],
                derived=via.startswith("via-gbt4754"),
            )
        )
    top_conf = c.industries[0].confidence if c.industries else 0.0
    for tag in c.tags:
        if tag["tag"] == "strategic":
            continue  # the SEI scheme rows carry that
        rows.append(
            PatentIndustry(
                patent=patent,
                scheme=PatentIndustry.Scheme.TAG,
                code=str(tag["tag"]),
                name=str(tag["name"])[:200],
                level=1,
                confidence=top_conf,
                source=f"tag-via:{tag['via']}"[:64],
                derived=derived,
            )
        )
    historic = [r.original for r in c.revised if r.historic]
    return rows, historic


def patent_industries_compute(
    *, patent_ids: Iterable[int] | None = None, only_unclassified: bool = False, out: Any = None
) -> int:
    """Recompute industries for the given patents (all when None); returns how many were processed."""
    started = timezone.now()
    snapshot = compiled()
    mark = snapshot.watermark
    qs = Patent.objects.all()
    if patent_ids is not None:
        qs = qs.filter(pk__in=list(patent_ids))
    if only_unclassified:
        qs = qs.exclude(industries__isnull=False).exclude(ipc_codes=[], ipc_main="")
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    for start in range(0, total, BATCH):
        chunk = ids[start : start + BATCH]
        patents = list(
            Patent.objects.filter(pk__in=chunk).only(
                "pk", "title", "abstract", "ipc_main", "ipc_codes", "ipc_historic"
            )
        )
        new_rows: list[PatentIndustry] = []
        historic_changed: list[Patent] = []
        for p in patents:
            rows, historic = industry_rows_for(p, snapshot)
            new_rows += rows
            if historic != list(p.ipc_historic or []):
                p.ipc_historic = historic
                historic_changed.append(p)
        with transaction.atomic():
            PatentIndustry.objects.filter(patent_id__in=chunk).delete()
            PatentIndustry.objects.bulk_create(new_rows, batch_size=2000)
            if historic_changed:
                Patent.objects.bulk_update(historic_changed, ["ipc_historic"], batch_size=500)
        if out is not None:
            out.write(f"  classified {min(start + BATCH, total)}/{total} patents")
    with transaction.atomic():
        node_counts_refresh()
        ClassificationRun.objects.create(
            watermark=mark,
            full=patent_ids is None and not only_unclassified,
            patents=total,
            started_at=started,
        )
        audit_record(
            "patents.industries_compute",
            object_type="patents.PatentIndustry",
            detail={"patents": total, "watermark": mark[:200], "only_unclassified": only_unclassified},
        )
    return total


def node_counts_refresh() -> None:
    """Patents per IPC node (section .. subgroup) and per GB/T 4754 node (门类 .. 小类) for the browse pages."""
    ipc: Counter[str] = Counter()
    for main, codes in Patent.objects.values_list("ipc_main", "ipc_codes").iterator(chunk_size=2000):
        keys: set[str] = set()
        for code in [main, *(codes or [])]:
            if not code:
                continue
            keys.update({code[:1], code[:3], code[:4]})
            if "/" in code:
                keys.update({code, code.split("/")[0] + "/00"})
        ipc.update(keys)
    parents = _industry_parents()
    gbt: Counter[str] = Counter()
    per_patent: dict[int, set[str]] = {}
    for pid, code in PatentIndustry.objects.filter(scheme=PatentIndustry.Scheme.GBT4754).values_list(
        "patent_id", "code"
    ):
        keys = per_patent.setdefault(pid, set())
        node: str | None = code
        while node and node not in keys:
            keys.add(node)
            node = parents.get(node)
    for keys in per_patent.values():
        gbt.update(keys)
    sei: Counter[str] = Counter(
        PatentIndustry.objects.filter(scheme=PatentIndustry.Scheme.SEI).values_list("code", flat=True)
    )
    existing_enterprises = dict(
        ((s, c), e)
        for s, c, e in NodeCount.objects.filter(enterprises__gt=0).values_list(
            "scheme", "code", "enterprises"
        )
    )
    NodeCount.objects.all().delete()
    rows = [NodeCount(scheme="ipc", code=k, patents=v) for k, v in ipc.items()]
    rows += [NodeCount(scheme="gbt4754", code=k, patents=v) for k, v in gbt.items()]
    rows += [NodeCount(scheme="sei", code=k, patents=v) for k, v in sei.items()]
    for r in rows:  # keep the enterprise counts another job wrote
        r.enterprises = existing_enterprises.pop((r.scheme, r.code), 0)
    rows += [NodeCount(scheme=s, code=c, enterprises=e) for (s, c), e in existing_enterprises.items()]
    NodeCount.objects.bulk_create(rows, batch_size=5000)


def _industry_parents() -> dict[str, str]:
    from panhuo.classification.models import Industry

    return {c: p for c, p in Industry.objects.values_list("code", "parent_code") if p}


def classification_due() -> str:
    """ "full" when the editions changed since the last full pass, "unclassified" otherwise."""
    last = ClassificationRun.objects.filter(full=True).order_by("-finished_at").first()
    return "full" if last is None or last.watermark != edition_watermark() else "unclassified"


@db_task()
def patent_industries_task(patent_ids: list[int] | None = None) -> int:
    return patent_industries_compute(patent_ids=patent_ids)


@db_periodic_task(crontab(minute="*/15"))
@lock_task("patent-industries")
def patent_industries_refresh() -> int:
    """Full recompute when a table changed; else only the patents nobody classified yet (self-healing)."""
    if classification_due() == "full":
        return patent_industries_compute()
    return patent_industries_compute(only_unclassified=True)


def load_demo(out: Any) -> None:
    """Demo step after patents: classify every patent (call from the demo after panhuo.patents.demo)."""
    n = patent_industries_compute(out=None)
    out.write(f"  patent industries computed for {n} patents")
