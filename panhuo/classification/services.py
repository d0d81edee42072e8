"""Writes: the derived IPC -> GB/T 4754 edition, imported official tables, edition activation."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from engine.classification.derived import (
    DerivedInputs,
    DerivedMapper,
    DerivedRow,
    StrategicClass,
    ipc_group_texts,
)
from engine.classification.ipc import IpcError, parse_ipc
from engine.classification.rules import parse_pattern, split_keywords, split_patterns
from engine.classification.scope import IndustryText
from panhuo.classification.loaders import SEI_EDITION
from panhuo.classification.models import (
    ConcordanceEdition,
    ConcordanceRule,
    Industry,
    IndustryTag,
    IpcNaceShare,
    IpcNode,
    SeiRule,
)
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError

DERIVED_EDITION = "derived-gbt4754"
# Precomputed by `panhuo build_derived_mapping --write` so that loading the demo takes seconds, not minutes.
DERIVED_CSV = Path(__file__).resolve().parent / "data" / "derived_ipc_gbt4754.csv"
MAX_IMPORT_ROWS = 200_000


def derived_inputs() -> DerivedInputs:
    ipc_texts = ipc_group_texts(IpcNode.objects.values_list("code", "level", "parent", "title").iterator())
    names = dict(Industry.objects.filter(level__in=(2, 3)).values_list("code", "name"))
    classes = [
        IndustryText(c, n, d, f"{names.get(p, '')} {names.get(c[:2], '')}")
        for c, n, d, p in Industry.objects.filter(level=4)
        .order_by("code")
        .values_list("code", "name", "description", "parent_code")
    ]
    strategic = [
        StrategicClass(code, tuple(p.strip() for p in path.split(">")), f"{path} {products}")
        for code, path, products in IndustryTag.objects.filter(tag="strategic").values_list(
            "code", "category_path", "products"
        )
    ]
    rules = {r.rule_no: r for r in SeiRule.objects.all()}
    sei_rows: dict[str, list[tuple[str, str]]] = defaultdict(list)
    sei = ConcordanceEdition.objects.filter(key=SEI_EDITION).first()
    if sei is not None:
        for pattern, src in sei.rules.values_list("pattern", "sources"):
            try:
                ipc = parse_ipc(pattern)
            except IpcError:
                continue
            rule = rules.get(int(src.split(":")[1])) if src.startswith("sei-rule:") else None
            if ipc.main_group and rule:
                sei_rows[ipc.main_group].append((rule.sei_code, rule.keywords))
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    for ipc_class, nace2, share in IpcNaceShare.objects.values_list("ipc_class", "nace2", "share"):
        shares[ipc_class][nace2] = share
    sei_names = {r.sei_code: r.sei_name for r in rules.values()}
    return DerivedInputs(
        ipc_texts=ipc_texts,
        classes=classes,
        sei_rows=sei_rows,
        sei_names=sei_names,
        strategic=strategic,
        nace_shares=shares,
    )


def derived_rows_compute(*, top: int = 3, out: Any = None) -> list[DerivedRow]:
    """Run the derived mapper over every IPC main group (about 20 s of CPU)."""
    inputs = derived_inputs()
    if not inputs.ipc_texts or not inputs.classes:
        raise ApplicationError(
            "reference_missing",
            "请先加载参考数据（panhuo load_reference）",
            "load the reference data first (panhuo load_reference)",
        )
    mapper = DerivedMapper(inputs)
    groups = sorted(inputs.ipc_texts)
    rows = []
    for n, g in enumerate(groups, start=1):
        rows += mapper.map_group(g, top=top)
        if out is not None and n % 1000 == 0:
            out.write(f"  derived mapping: {n}/{len(groups)} main groups")
    return rows


def derived_rows_write(rows: list[DerivedRow], path: Path = DERIVED_CSV) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ipc_group", "code", "name", "confidence", "sources"])
        for r in rows:
            w.writerow([r.ipc_group, r.code, r.name, r.confidence, "+".join(r.sources)])


def derived_rows_read(path: Path = DERIVED_CSV) -> list[DerivedRow]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [
            DerivedRow(
                r["ipc_group"], r["code"], r["name"], float(r["confidence"]), tuple(r["sources"].split("+"))
            )
            for r in csv.DictReader(fh)
        ]


def derived_mapping_store(
    *, rows: list[DerivedRow], actor: AbstractBaseUser | AnonymousUser | None = None
) -> ConcordanceEdition:
    """Store derived rows as the `derived-gbt4754` edition (inactive while an official GB/T edition is)."""
    official = ConcordanceEdition.objects.filter(
        target=ConcordanceEdition.Target.GBT4754, kind=ConcordanceEdition.Kind.OFFICIAL, active=True
    ).exists()
    with transaction.atomic():
        edition, _ = ConcordanceEdition.objects.update_or_create(
            key=DERIVED_EDITION,
            defaults={
                "name": "IPC 大组 → 国民经济行业小类 推导对照（非官方）",
                "target": ConcordanceEdition.Target.GBT4754,
                "kind": ConcordanceEdition.Kind.DERIVED,
                "source": "derived: SEI 2021 chains + Fraunhofer ISI IPC→NACE via hand-built bridge + text",
                "exact_codes": False,
                "active": not official,
                "rule_count": len(rows),
            },
        )
        edition.rules.all().delete()
        ConcordanceRule.objects.bulk_create(
            [
                ConcordanceRule(
                    edition=edition,
                    row_no=i,
                    pattern=r.ipc_group,
                    target_code=r.code,
                    target_name=r.name,
                    confidence=r.confidence,
                    sources="derived:" + "+".join(r.sources),
                )
                for i, r in enumerate(rows, start=1)
            ],
            batch_size=5000,
        )
        audit_record(
            "classification.derived_build",
            actor=actor,
            obj=edition,
            detail={"rules": len(rows), "active": not official},
        )
    return edition


# --- importing a user-supplied official table -------------------------------------------------------------

_COLUMNS = {
    "code": ("行业代码", "代码", "industry_code", "编号", "code"),
    "name": ("行业名称", "名称", "industry_name", "name"),
    "ipc": ("参照IPC", "IPC", "ipc", "国际专利分类", "IPC分类号", "ipc_patterns"),
    "keywords": ("关键词", "keywords"),
    "exclude_keywords": ("排除关键词", "不包括", "exclude_keywords"),
}
_GBT_CODE = re.compile(r"^(?:[A-T]|\d{2,4})$")
_SEI_CODE = re.compile(r"^\d(?:\.\d{1,2}){1,3}$")


@dataclass
class RowError:
    row: int
    field: str
    message_zh: str
    message_en: str
    value: str = ""


@dataclass
class ImportOutcome:
    edition: ConcordanceEdition | None
    rules: int
    errors: list[RowError] = field(default_factory=list)


def _read_table(filename: str, content: bytes) -> list[list[str]]:
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ApplicationError(
                "file_unreadable", "无法读取 XLSX 文件", f"cannot read the XLSX file: {exc}", "file"
            ) from exc
        ws = wb.worksheets[0]
        out = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
        return out
    if name.endswith((".csv", ".txt")):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ApplicationError("file_encoding", "文件编码无法识别", "unknown file encoding", "file")
        return [row for row in csv.reader(io.StringIO(text))]
    raise ApplicationError(
        "file_type", "仅支持 XLSX 或 CSV 文件", "only XLSX or CSV files are accepted", "file"
    )


def _header_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        label = unicodedata.normalize("NFKC", cell or "").strip().replace(" ", "")
        for key, names in _COLUMNS.items():
            if key not in found and label in names:
                found[key] = i
    return found


def edition_import(
    *,
    filename: str,
    content: bytes,
    target: str,
    name: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    key: str | None = None,
    exact_codes: bool = False,
) -> ImportOutcome:
    """Load an official concordance table (行业代码, 行业名称, IPC/参照IPC [, 关键词, 排除关键词]) as a new edition.

    IPC cells may hold several patterns with `*` and "(不含 …)". Rows whose code cell is empty continue the
    last code (the 2015 trial layout). Bad rows are reported (row, field, Chinese, English) and skipped; when
    no row is valid nothing is stored. An official GB/T 4754 edition becomes the active one, which replaces
    the derived mapping.
    """
    if target not in ConcordanceEdition.Target.values:
        raise ApplicationError("target", "目标分类体系无效", "invalid target scheme", "target")
    if not (name or "").strip():
        raise ApplicationError("name_required", "请填写版本名称", "edition name is required", "name")
    table = _read_table(filename, content)
    if not table:
        raise ApplicationError("file_empty", "文件为空", "the file is empty", "file")
    cols = _header_map(table[0])
    missing = [k for k in ("code", "ipc") if k not in cols]
    if missing:
        raise ApplicationError(
            "columns_missing",
            "缺少必需的列：行业代码、IPC（或 参照IPC）",
            "required columns missing: 行业代码 and IPC (or 参照IPC)",
            "file",
        )
    if len(table) > MAX_IMPORT_ROWS:
        raise ApplicationError("too_many_rows", "行数过多", f"more than {MAX_IMPORT_ROWS} rows", "file")
    known = dict(Industry.objects.values_list("code", "name")) if target == "gbt4754" else {}

    def cell(row: list[str], k: str) -> str:
        i = cols.get(k)
        return unicodedata.normalize("NFKC", row[i]).strip() if i is not None and i < len(row) else ""

    errors: list[RowError] = []
    pending: list[ConcordanceRule] = []
    code, code_name = "", ""
    for n, row in enumerate(table[1:], start=2):
        if not any((c or "").strip() for c in row):
            continue
        raw_code = cell(row, "code").upper()
        if raw_code:
            valid = _GBT_CODE.match(raw_code) if target == "gbt4754" else _SEI_CODE.match(raw_code)
            if not valid or (target == "gbt4754" and raw_code not in known):
                errors.append(
                    RowError(
                        n,
                        "行业代码",
                        f"行业代码无效：{raw_code}",
                        f"unknown industry code: {raw_code}",
                        raw_code,
                    )
                )
                code = ""
                continue
            code, code_name = raw_code, cell(row, "name") or known.get(raw_code, "")
        ipc_cell = cell(row, "ipc")
        if not ipc_cell:
            continue  # a heading row (门类/大类) without IPC entries
        if not code:
            errors.append(RowError(n, "行业代码", "缺少行业代码", "industry code missing", ""))
            continue
        patterns, exclusions = split_patterns(ipc_cell)
        try:
            excl = [parse_pattern(x).raw for x in exclusions]
            parsed = [parse_pattern(p) for p in patterns]
        except IpcError as exc:
            errors.append(RowError(n, "IPC", exc.message_zh, exc.message_en, exc.value))
            continue
        for p in parsed:
            pending.append(
                ConcordanceRule(
                    row_no=n,
                    pattern=p.raw[:40],
                    exclusions=excl,
                    include_keywords=split_keywords(cell(row, "keywords")),
                    exclude_keywords=split_keywords(cell(row, "exclude_keywords")),
                    target_code=code,
                    target_name=code_name[:200],
                    sources=f"import:{filename[:100]}",
                )
            )
    if not pending:
        return ImportOutcome(None, 0, errors)
    with transaction.atomic():
        edition = ConcordanceEdition.objects.create(
            key=(key or f"upload-{target}-{ConcordanceEdition.objects.count() + 1}")[:40],
            name=name.strip()[:200],
            target=target,
            kind=ConcordanceEdition.Kind.OFFICIAL,
            source=f"uploaded file {filename}"[:300],
            exact_codes=exact_codes,
            active=True,
            rule_count=len(pending),
        )
        # The newest official table of a target replaces the older ones and the derived mapping.
        ConcordanceEdition.objects.filter(target=target, active=True).exclude(pk=edition.pk).update(
            active=False
        )
        for r in pending:
            r.edition = edition
        ConcordanceRule.objects.bulk_create(pending, batch_size=5000)
        audit_record(
            "classification.edition_import",
            actor=actor,
            obj=edition,
            detail={"rules": len(pending), "errors": len(errors), "file": filename[:100]},
        )
    return ImportOutcome(edition, len(pending), errors)


def edition_activate(
    *, key: str, actor: AbstractBaseUser | AnonymousUser | None = None
) -> ConcordanceEdition:
    """Make one edition the active one of its target (e.g. return to the derived mapping)."""
    edition = ConcordanceEdition.objects.filter(key=key).first()
    if edition is None:
        raise ApplicationError("edition_not_found", "未找到该版本", "edition not found", "key")
    with transaction.atomic():
        ConcordanceEdition.objects.filter(target=edition.target).exclude(pk=edition.pk).update(active=False)
        edition.active = True
        edition.save(update_fields=["active", "updated_at"])
        audit_record("classification.edition_activate", actor=actor, obj=edition)
    return edition


def derived_mapping_load(
    *, actor: AbstractBaseUser | AnonymousUser | None = None, force: bool = False
) -> ConcordanceEdition | None:
    """Store the shipped derived table unless the edition already holds it."""
    if not DERIVED_CSV.exists():
        return None
    rows = derived_rows_read()
    current = ConcordanceEdition.objects.filter(key=DERIVED_EDITION).first()
    if current is not None and current.rule_count == len(rows) and not force:
        return current
    return derived_mapping_store(rows=rows, actor=actor)
