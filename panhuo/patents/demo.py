"""Demo patents: the real records in reference/patents/ imported through the import framework (labelled demo).

Spread over DEMO-UNI-1 (理工), DEMO-UNI-2 (农林) and DEMO-INST-1 (材料/新能源) by IPC field, each with a college;
abstracts merged where a publication number appears in several datasets. Then a realistic mix of 建档 states
(most unfiled; some draft, in review, pooled with filled fields) and 王建国 (demo_inventor) linked as inventor on
some DEMO-UNI-1 patents. Idempotent: a second run reports everything unchanged and moves nothing.
"""

from __future__ import annotations

import csv
import gzip
import tempfile
import zlib
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from engine.identifiers.application_number import check_character
from panhuo.accounts.models import College, Organization, User
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.patents.models import (
    ImplementationStatus,
    InventoryRecord,
    InventoryState,
    Patent,
    ReviewEvent,
)

ORGS = ("DEMO-UNI-1", "DEMO-UNI-2", "DEMO-INST-1")
HEADER = [
    "公开（公告）号",
    "申请号",
    "名称",
    "摘要",
    "申请人",
    "发明人",
    "申请日",
    "公开日",
    "IPC分类号",
    "法律状态",
    "学院",
    "来源",
]
INVENTOR_NAME = "王建国"


def _reference() -> Path:
    return Path(settings.BASE_DIR) / "reference" / "patents"


def _rows(path: Path) -> Iterable[dict[str, str]]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _merge(records: dict[str, dict[str, Any]], pub: str, **values: Any) -> None:
    """Same publication number in several datasets: one record, the first non-empty value of each field wins."""
    # CN114182133A and CN114182133B are the application and the grant of one patent: one record, the grant's kind.
    base = pub[:-1] if pub[-1:].isalpha() else pub
    rec = records.setdefault(base, {"pub": pub, "sources": [], "ipc": []})
    if pub[-1:] in "BCUY" and rec["pub"][-1:] == "A":
        rec["pub"] = pub
    for key, value in values.items():
        if key == "source":
            if value not in rec["sources"]:
                rec["sources"].append(value)
        elif key == "ipc":
            rec["ipc"] += [c for c in value if c and c not in rec["ipc"]]
        elif value and not rec.get(key):
            rec[key] = value


def collect() -> list[dict[str, Any]]:
    ref = _reference()
    records: dict[str, dict[str, Any]] = {}
    for r in _rows(ref / "cn_patent_titles_ipc_lxingy3.csv"):
        _merge(
            records,
            r["publication_number"],
            title=r["title"],
            ipc=r["ipc_subclasses"].split("|"),
            source="lxingy3",
        )
    for r in _rows(ref / "cn_patents_g06_cpc_abstracts_liaoleyuan.csv"):
        cpc = [c.split("/")[0][:4] for c in r["cpc_labels"].split("|") if c]
        _merge(
            records,
            r["publication_number"],
            title=r["title"],
            abstract=r["abstract"],
            ipc=cpc,
            source="liaoleyuan",
        )
    for r in _rows(ref / "cn_patents_cnki_material_chemistry_2018_19_sample.csv"):
        _merge(
            records,
            r["publication_number"],
            title=r["title"],
            abstract=r["abstract"],
            applicants=r["applicant"],
            inventors=r["inventors"],
            application_date=r["application_date"],
            publication_date=r["publication_date"],
            source="cnki",
        )
    for r in _rows(ref / "cn_patent_fulltext_chemistry_cnchemner.csv.gz"):
        if r["publication_number"]:
            _merge(
                records,
                r["publication_number"],
                title=r["title"].strip(),
                abstract=r["technical_field"],
                source="cnchemner",
            )
    out = list(records.values())
    # KPPatent-ZH test rows: real titles and abstracts but no number at all; they get a synthetic 申请号.
    serial = 0
    for r in _rows(ref / "cn_patent_abstracts_keyphrases_kppatent_zh.csv"):
        if r["split"] == "test" and r["title"]:
            serial += 1
            body = f"20211{9_000_000 + serial:07d}"
            out.append(
                {
                    "pub": "",
                    "app": f"{body}.{check_character(body)}",
                    "title": r["title"],
                    "abstract": r["abstract"],
                    "ipc": [],
                    "sources": ["kppatent"],
                    "synthetic_number": True,
                }
            )
    return out


# Which institution and college a record plausibly belongs to, by its first IPC code / dataset.
def place(rec: dict[str, Any]) -> tuple[str, str]:
    ipc = rec["ipc"][0] if rec["ipc"] else ""
    if not ipc:
        return (
            ("DEMO-INST-1", "CHEM")
            if "cnki" in rec["sources"] or "cnchemner" in rec["sources"]
            else (
                "DEMO-UNI-1",
                ("ME", "EE", "MS", "CS")[zlib.crc32(rec["title"].encode()) % 4],
            )
        )
    sub = ipc[:4]
    if sub[:3] in ("A01", "A22") or sub == "A23N":
        return "DEMO-UNI-2", "AG"
    if sub[:3] in ("A21", "A23", "C12", "C13"):
        return "DEMO-UNI-2", "FD" if sub[:3] != "C12" else "BIO"
    if sub[:3] in ("A61", "C07", "A62"):
        return ("DEMO-UNI-2", "BIO") if sub[:3] == "A61" else ("DEMO-INST-1", "CHEM")
    if sub in ("H01M", "H02J", "H02S", "Y02E", "F24S", "C25B"):
        return "DEMO-INST-1", "ENERGY"
    if ipc[0] == "C":
        return ("DEMO-UNI-1", "MS") if sub[:3] in ("C21", "C22", "C23", "C04") else ("DEMO-INST-1", "CHEM")
    if ipc[0] == "G":
        return "DEMO-UNI-1", "CS" if sub[:3] in ("G06", "G09", "G10") else "EE"
    if ipc[0] == "H":
        return "DEMO-UNI-1", "EE"
    if ipc[0] in ("B", "F", "E", "D"):
        return ("DEMO-UNI-1", "MS") if sub[:3] in ("B22", "B32") else ("DEMO-UNI-1", "ME")
    return "DEMO-UNI-2", "BIO"  # rest of section A


def _status(rec: dict[str, Any]) -> str:
    kind = rec["pub"][-1:] if rec["pub"] else ""
    return {"B": "有效", "C": "有效", "U": "有效", "Y": "有效", "A": "审中"}.get(kind, "")


def _write_csv(path: Path, recs: list[dict[str, Any]], colleges: dict[str, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for rec in recs:
            _, college = place(rec)
            w.writerow(
                [
                    rec["pub"],
                    rec.get("app", ""),
                    rec["title"][:500],
                    rec.get("abstract", ""),
                    rec.get("applicants", ""),
                    rec.get("inventors", ""),
                    rec.get("application_date", ""),
                    rec.get("publication_date", ""),
                    ";".join(rec["ipc"]),
                    _status(rec),
                    colleges.get(college, ""),
                    "+".join(rec["sources"]) + (" (申请号为合成)" if rec.get("synthetic_number") else ""),
                ]
            )


def load(out: Any) -> None:
    orgs = {o.code: o for o in Organization.objects.filter(code__in=ORGS)}
    if len(orgs) != len(ORGS):
        out.write("  patents: demo organizations missing (run the accounts demo first); skipped")
        return
    records = collect()
    by_org: dict[str, list[dict[str, Any]]] = {code: [] for code in ORGS}
    for rec in records:
        if rec["title"]:
            by_org[place(rec)[0]].append(rec)
    with tempfile.TemporaryDirectory() as tmp:
        for code in ORGS:
            org = orgs[code]
            colleges = dict(College.objects.filter(organization=org).values_list("code", "name"))
            path = Path(tmp) / f"demo-patents-{code}.csv"
            _write_csv(path, by_org[code], colleges)
            job = import_job_create(
                organization=org,
                kind="patents",
                path=path,
                original_name=path.name,
                options={"is_demo": True, "source": "demo"},
            )
            job = import_job_run(job)
            Patent.objects.filter(
                inventory_records__organization=org, source__contains="(申请号为合成)", is_synthetic=False
            ).update(is_synthetic=True)
            out.write(
                f"  {code}: {job.total} rows, {job.inserted} new, {job.updated} updated, "
                f"{job.unchanged} unchanged, {job.rejected} rejected"
            )
    InventoryRecord.objects.filter(organization__code__in=ORGS, is_demo=False).update(is_demo=True)
    for code in ORGS:
        _states(orgs[code])
    _link_inventor(out)


# --- a realistic mix of 建档 states ------------------------------------------------------------------------
_MODES = (["transfer", "licence"], ["licence"], ["open_licence", "licence"], ["equity"], ["transfer"])
# 项目组合 marks (Dazhou): every third demo record is offered in a named portfolio, the others in none.
_PORTFOLIOS = ("智能制造检测专利包", "", "", "新能源材料专利组合", "", "")


def _states(org: Organization) -> None:
    """First run only (nothing filed yet): ~8% draft, ~4% in college review, ~3% institution review, ~10% pooled."""
    records = InventoryRecord.objects.filter(organization=org)
    if records.exclude(state=InventoryState.UNFILED).exists():
        return
    admin = User.objects.filter(organization=org, role="institution_admin").first()
    now = timezone.now()
    ids = list(records.order_by("id").values_list("id", flat=True))
    with transaction.atomic():
        events: list[ReviewEvent] = []
        plan: dict[str, list[int]] = {
            "draft": [],
            "college_review": [],
            "institution_review": [],
            "pooled": [],
        }
        for rid in ids:
            bucket = zlib.crc32(f"{org.code}:{rid}".encode()) % 100
            if bucket < 10:
                plan["pooled"].append(rid)
            elif bucket < 13:
                plan["institution_review"].append(rid)
            elif bucket < 17:
                plan["college_review"].append(rid)
            elif bucket < 25:
                plan["draft"].append(rid)
        objs = InventoryRecord.objects.in_bulk([i for ids_ in plan.values() for i in ids_])
        changed: list[InventoryRecord] = []
        for state, rids in plan.items():
            for n, rid in enumerate(rids):
                r = objs[rid]
                r.state = state
                r.fiscal_funded = n % 3 != 0
                r.implementation_status = (
                    ImplementationStatus.NOT_IMPLEMENTED if n % 4 else ImplementationStatus.IMPLEMENTED
                )
                r.conversion_intent = n % 7 != 0
                r.conversion_modes = _MODES[n % len(_MODES)]
                r.trl = 3 + n % 6
                r.value_self_grade = "ABCCD"[n % 5]
                r.application_scenarios = "面向重庆及成渝地区相关产业的工程化应用（演示）"
                r.industrialisation_prospects = "具备中试条件，可与企业合作推进产业化（演示）"
                r.contact_name = "技术转移中心"
                r.contact_email = "tto@demo.example.cn"
                r.portfolio = _PORTFOLIOS[n % len(_PORTFOLIOS)]
                r.proxy_filing = True
                r.filer = admin
                if state != "draft":
                    r.submitted_at = now - timedelta(days=20 + n % 60)
                    events.append(
                        ReviewEvent(
                            record=r,
                            action="submit",
                            from_state="draft",
                            to_state="college_review",
                            actor=admin,
                        )
                    )
                if state in ("institution_review", "pooled"):
                    events.append(
                        ReviewEvent(
                            record=r,
                            action="approve",
                            from_state="college_review",
                            to_state="institution_review",
                            actor=admin,
                        )
                    )
                if state == "pooled":
                    r.pooled_at = now - timedelta(days=n % 90)
                    events.append(
                        ReviewEvent(
                            record=r,
                            action="approve",
                            from_state="institution_review",
                            to_state="pooled",
                            actor=admin,
                        )
                    )
                changed.append(r)
        fields = [
            "state",
            "fiscal_funded",
            "implementation_status",
            "conversion_intent",
            "conversion_modes",
            "trl",
            "value_self_grade",
            "application_scenarios",
            "industrialisation_prospects",
            "contact_name",
            "contact_email",
            "portfolio",
            "proxy_filing",
            "filer",
            "submitted_at",
            "pooled_at",
        ]
        InventoryRecord.objects.bulk_update(changed, fields, batch_size=500)
        ReviewEvent.objects.bulk_create(events, batch_size=1000)


def _link_inventor(out: Any) -> None:
    user = User.objects.filter(username="demo_inventor").first()
    if user is None:
        return
    records = list(
        InventoryRecord.objects.filter(organization__code="DEMO-UNI-1", college__code="EE")
        .select_related("patent")
        .order_by("id")[:12]
    )
    for r in records:
        if INVENTOR_NAME not in r.patent.inventors:
            r.patent.inventors = [INVENTOR_NAME, *r.patent.inventors]
            r.patent.save(update_fields=["inventors", "updated_at"])
        if r.first_inventor != INVENTOR_NAME:
            r.first_inventor = INVENTOR_NAME
            r.save(update_fields=["first_inventor", "updated_at"])
        r.inventor_users.add(user)
    out.write(f"  {INVENTOR_NAME} (demo_inventor) linked to {len(records)} DEMO-UNI-1 patents")
