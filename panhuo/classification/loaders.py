"""Bulk, idempotent loads of the reference tables shipped in `reference/` (see reference/PROVENANCE.md)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction

from panhuo.classification.models import (
    ConcordanceEdition,
    ConcordanceRule,
    Industry,
    IndustryTag,
    IpcNaceShare,
    IpcNode,
    NaceCode,
    SeiRule,
)

SEI_EDITION = "sei-2021"
BATCH = 5000


def reference_dir() -> Path:
    return Path(getattr(settings, "REFERENCE_DIR", Path(settings.BASE_DIR) / "reference"))


def _rows(relative: str) -> Iterator[dict[str, str]]:
    with open(reference_dir() / relative, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _replace(
    model: type[models.Model],
    relative: str,
    build: Callable[[dict[str, str]], models.Model],
    force: bool,
) -> int:
    """Reload `model` from a CSV unless it already holds exactly that many rows."""
    raw = list(_rows(relative))
    if not force and model._default_manager.count() == len(raw):
        return 0
    rows = [build(r) for r in raw]
    with transaction.atomic():
        model._default_manager.all().delete()
        model._default_manager.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def load_ipc(force: bool = False) -> int:
    return _replace(
        IpcNode,
        "ipc/ipc_2026_01_zh.csv",
        lambda r: IpcNode(code=r["code"], level=r["level"], parent=r["parent"], title=r["title_cn"][:500]),
        force,
    )


def load_industries(force: bool = False) -> int:
    n = _replace(
        Industry,
        "industry/gbt4754_2017.csv",
        lambda r: Industry(
            code=r["code"],
            level=int(r["level"]),
            name=r["name"],
            parent_code=r["parent_code"],
            section=r["section"],
            description=r["description"],
        ),
        force,
    )
    seen: set[tuple[str, str, str]] = set()

    def tag(r: dict[str, str]) -> IndustryTag:
        return IndustryTag(
            code=r["code"],
            tag=r["tag"],
            tag_name=r["tag_name"],
            partial=r["partial"] == "1",
            category_path=r["category_path"][:300],
            description=r["description"],
            products=r["products"],
        )

    tags = []
    for r in _rows("industry/gbt4754_2017_special_tags.csv"):
        key = (r["code"], r["tag"], r["category_path"][:300])
        if key not in seen:  # upstream repeats a few rows
            seen.add(key)
            tags.append(tag(r))
    if force or IndustryTag.objects.count() != len(tags):
        with transaction.atomic():
            IndustryTag.objects.all().delete()
            IndustryTag.objects.bulk_create(tags, batch_size=BATCH)
        n += len(tags)
    return n


def load_nace(force: bool = False) -> int:
    n = _replace(
        NaceCode,
        "industry/nace_rev2_codes.csv",
        lambda r: NaceCode(code=r["code"], section=r["section"], name_en=r["name_en"][:300]),
        force,
    )
    n += _replace(
        IpcNaceShare,
        "concordance/ipc3_to_nace2_fraunhofer_isi_2019.csv",
        lambda r: IpcNaceShare(ipc_class=r["ipc_class"], nace2=r["nace2"], share=float(r["share"])),
        force,
    )
    return n


def load_sei(force: bool = False) -> int:
    """The SEI 2021 rules and the official IPC -> SEI table as the exact-code edition `sei-2021`."""
    n = _replace(
        SeiRule,
        "concordance/sei_2021.csv",
        lambda r: SeiRule(
            rule_no=int(r["id"]), sei_code=r["seiCode"], sei_name=r["seiName"], keywords=r["keywords"]
        ),
        force,
    )
    rules = {r.rule_no: r for r in SeiRule.objects.all()}
    rows = list(_rows("concordance/ipc_to_sei_2021.csv"))
    edition = ConcordanceEdition.objects.filter(key=SEI_EDITION).first()
    if edition and not force and edition.rule_count == len(rows):
        return n
    with transaction.atomic():
        edition, _ = ConcordanceEdition.objects.update_or_create(
            key=SEI_EDITION,
            defaults={
                "name": "战略性新兴产业分类与国际专利分类参照关系表（2021）",
                "target": ConcordanceEdition.Target.SEI,
                "kind": ConcordanceEdition.Kind.OFFICIAL,
                "source": "CNIPA 国知办函规字〔2021〕121号 via roy-tian/cn-patent-ipc (MIT)",
                "exact_codes": True,
                "active": True,
                "rule_count": len(rows),
            },
        )
        edition.rules.all().delete()
        objs = []
        for i, r in enumerate(rows, start=1):
            rule = rules[int(r["seiId"])]
            objs.append(
                ConcordanceRule(
                    edition=edition,
                    row_no=i,
                    pattern=r["ipcCode"],
                    target_code=rule.sei_code,
                    target_name=rule.sei_name,
                    sources=f"sei-rule:{rule.rule_no}",
                )
            )
        ConcordanceRule.objects.bulk_create(objs, batch_size=BATCH)
    return n + len(rows)


def load_reference(force: bool = False, out: Any = None) -> dict[str, int]:
    """Everything the classification app ships; returns rows written per table (0 = already there)."""
    steps: list[tuple[str, Callable[[bool], int]]] = [
        ("ipc", load_ipc),
        ("gbt4754", load_industries),
        ("nace", load_nace),
        ("sei", load_sei),
    ]
    done: dict[str, int] = {}
    for name, step in steps:
        done[name] = step(force)
        if out is not None:
            out.write(f"  {name}: {done[name]} rows written")
    return done
