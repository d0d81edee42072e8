"""Columns of the patent import (批量建档模板) and the parsers that turn one cell into a stored value.

Parsers raise `CellError(code, zh, en)`; the handler turns it into a reject of that row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from engine.classification.ipc import IpcError, parse_ipc, split_ipc_list
from panhuo.imports.registry import ColumnSpec
from panhuo.patents.models import ConversionMode, ImplementationStatus, LegalStatus, PatentType

TEMPLATE_VERSION = "2"  # 2: 项目组合 and the columns extensions add (upkeep facts and fees)

BIBLIOGRAPHIC = (
    ColumnSpec(
        "app_no",
        ("申请号", "专利申请号", "application number", "application_number", "app_no"),
        max_length=40,
    ),
    ColumnSpec(
        "pub_no",
        (
            "公开（公告）号",
            "公开公告号",
            "公开号",
            "公告号",
            "publication number",
            "publication_number",
            "pub_no",
        ),
        max_length=40,
    ),
    ColumnSpec("title", ("名称", "发明名称", "专利名称", "标题", "title"), required=True, max_length=500),
    ColumnSpec("abstract", ("摘要", "abstract"), max_length=20000),
    ColumnSpec("applicants", ("申请人", "申请（专利权）人", "applicant", "applicants"), max_length=2000),
    ColumnSpec("patentees", ("专利权人", "当前权利人", "权利人", "patentee", "patentees"), max_length=2000),
    ColumnSpec("inventors", ("发明人", "发明（设计）人", "设计人", "inventor", "inventors"), max_length=2000),
    ColumnSpec("application_date", ("申请日", "application date", "application_date"), max_length=40),
    ColumnSpec(
        "publication_date",
        ("公开日", "公开（公告）日", "公告日", "publication date", "publication_date"),
        max_length=40,
    ),
    ColumnSpec("grant_date", ("授权公告日", "授权日", "grant date", "grant_date"), max_length=40),
    ColumnSpec(
        "ipc",
        ("IPC分类号", "IPC", "分类号", "国际专利分类号", "ipc codes", "ipc_codes", "ipc_subclasses"),
        max_length=2000,
    ),
    ColumnSpec("ipc_main", ("主分类号", "IPC主分类号", "main ipc", "ipc_main"), max_length=40),
    ColumnSpec("legal_status", ("法律状态", "当前法律状态", "legal status", "legal_status"), max_length=40),
    ColumnSpec("patent_type", ("专利类型", "类型", "patent type", "patent_type", "type"), max_length=20),
    ColumnSpec("source", ("来源", "数据来源", "source"), max_length=100),
)
INVENTORY = (
    ColumnSpec("college", ("学院", "所属学院", "院系", "college"), max_length=100),
    ColumnSpec("first_inventor", ("第一发明人", "first inventor", "first_inventor"), max_length=100),
    ColumnSpec(
        "fiscal_funded", ("是否财政资助", "财政资助", "fiscal funded", "fiscal_funded"), max_length=10
    ),
    ColumnSpec(
        "implementation_status", ("实施状态", "implementation status", "implementation_status"), max_length=20
    ),
    ColumnSpec("conversion_intent", ("转化意愿", "conversion intent", "conversion_intent"), max_length=10),
    ColumnSpec(
        "conversion_modes",
        ("转化方式", "可接受的转化方式", "conversion modes", "conversion_modes"),
        max_length=100,
    ),
    ColumnSpec("trl", ("技术成熟度", "技术成熟度TRL", "TRL"), max_length=10),
    ColumnSpec(
        "value_self_grade", ("价值分级自评", "价值自评", "value grade", "value_self_grade"), max_length=10
    ),
    ColumnSpec("application_scenarios", ("应用场景", "application scenarios", "application_scenarios")),
    ColumnSpec(
        "industrialisation_prospects",
        ("产业化前景", "industrialisation prospects", "industrialisation_prospects"),
    ),
    ColumnSpec("contact_name", ("联系人", "contact name", "contact_name"), max_length=100),
    ColumnSpec("contact_phone", ("联系电话", "contact phone", "contact_phone"), max_length=40),
    ColumnSpec("contact_email", ("联系邮箱", "电子邮箱", "contact email", "contact_email"), max_length=200),
    ColumnSpec("portfolio", ("项目组合", "所属项目组合", "patent portfolio", "portfolio"), max_length=100),
)
COLUMNS = BIBLIOGRAPHIC + INVENTORY
INVENTORY_NAMES = tuple(c.name for c in INVENTORY if c.name not in ("college", "first_inventor"))


@dataclass
class CellError(ValueError):
    code: str
    message_zh: str
    message_en: str


# --- dates ----------------------------------------------------------------------------------------
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MIN_YEAR = 1985  # the Chinese patent system starts on 1 April 1985


def parse_date(raw: str, label: str) -> dt.date:
    text = unicodedata.normalize("NFKC", raw).strip()
    m = _DATE.match(text) or _DATE8.match(text)
    if m:
        try:
            value = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            value = None
        if value is not None and MIN_YEAR <= value.year <= 2100:
            return value
    raise CellError(
        "date_format",
        f"{label}不是有效日期：{raw[:30]}（应为 2020-01-31 / 2020/1/31 / 2020年1月31日 / 20200131）",
        f"{label} is not a valid date: {raw[:30]}",
    )


# --- patent type and legal status ---------------------------------------------------------------------
_TYPE_WORDS = {
    "发明": PatentType.INVENTION,
    "发明专利": PatentType.INVENTION,
    "发明申请": PatentType.INVENTION,
    "发明授权": PatentType.INVENTION,
    "invention": PatentType.INVENTION,
    "实用新型": PatentType.UTILITY,
    "实用新型专利": PatentType.UTILITY,
    "utility": PatentType.UTILITY,
    "utilitymodel": PatentType.UTILITY,
    "外观设计": PatentType.DESIGN,
    "外观设计专利": PatentType.DESIGN,
    "外观": PatentType.DESIGN,
    "design": PatentType.DESIGN,
}
TYPE_BY_KIND = {
    "A": "invention",
    "B": "invention",
    "C": "invention",
    "U": "utility",
    "Y": "utility",
    "S": "design",
}


def parse_patent_type(raw: str) -> str:
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).lower()
    value = _TYPE_WORDS.get(key)
    if value is None:
        raise CellError(
            "patent_type_unknown",
            f"专利类型无法识别：{raw[:20]}（应为 发明 / 实用新型 / 外观设计）",
            f"unknown patent type: {raw[:20]}",
        )
    return str(value)


_STATUS_WORDS: list[tuple[str, str]] = [
    # most specific first: "未缴年费专利权终止" must not match "有效"
    ("未缴年费", LegalStatus.LAPSED),
    ("年费", LegalStatus.LAPSED),
    ("lapsed", LegalStatus.LAPSED),
    ("失效", LegalStatus.LAPSED),
    ("终止", LegalStatus.LAPSED),
    ("届满", LegalStatus.EXPIRED),
    ("expired", LegalStatus.EXPIRED),
    ("无效", LegalStatus.INVALIDATED),
    ("invalidated", LegalStatus.INVALIDATED),
    ("驳回", LegalStatus.REJECTED),
    ("rejected", LegalStatus.REJECTED),
    ("撤回", LegalStatus.WITHDRAWN),
    ("放弃", LegalStatus.WITHDRAWN),
    ("withdrawn", LegalStatus.WITHDRAWN),
    ("审中", LegalStatus.PENDING),
    ("实审", LegalStatus.PENDING),
    ("实质审查", LegalStatus.PENDING),
    ("公开", LegalStatus.PENDING),
    ("在审", LegalStatus.PENDING),
    ("pending", LegalStatus.PENDING),
    ("有效", LegalStatus.VALID),
    ("授权", LegalStatus.VALID),
    ("有权", LegalStatus.VALID),
    ("专利权维持", LegalStatus.VALID),
    ("valid", LegalStatus.VALID),
    ("granted", LegalStatus.VALID),
    ("未知", LegalStatus.UNKNOWN),
    ("unknown", LegalStatus.UNKNOWN),
]


def parse_legal_status(raw: str) -> str:
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).lower()
    for word, status in _STATUS_WORDS:
        if word in key:
            return str(status)
    raise CellError(
        "legal_status_unknown",
        f"法律状态无法识别：{raw[:20]}（如 有效 / 审中 / 未缴年费终止 / 期限届满 / 无效 / 驳回 / 撤回）",
        f"unknown legal status: {raw[:20]}",
    )


# --- IPC ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def current_ipc_codes() -> frozenset[str]:
    """Codes of the IPC edition shipped in reference/ (2026.01); others are kept as historic, never refused."""
    path = Path(settings.BASE_DIR) / "reference" / "ipc" / "ipc_2026_01_zh.csv"
    if not path.exists():
        return frozenset()
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        next(rows, None)
        return frozenset(row[0] for row in rows if row)


@dataclass(frozen=True)
class IpcCell:
    codes: tuple[str, ...]  # canonical, main first, deduplicated
    historic: tuple[str, ...]


def parse_ipc_cells(main_raw: str, list_raw: str) -> IpcCell:
    codes: list[str] = []
    for part in ([main_raw] if main_raw else []) + split_ipc_list(list_raw):
        try:
            code = parse_ipc(part).code
        except IpcError as exc:
            raise CellError(exc.code, exc.message_zh, exc.message_en)
        if code not in codes:
            codes.append(code)
    known = current_ipc_codes()
    historic = tuple(c for c in codes if known and c not in known) if known else ()
    return IpcCell(tuple(codes), historic)


# --- lists and inventory values -----------------------------------------------------------------------------
_LIST_SPLIT = re.compile(r"\s*[;；|、\n]\s*")
_NAME_SPLIT = re.compile(r"\s*[;；|、,，\n]\s*")


def split_names(raw: str, *, commas: bool = False) -> list[str]:
    if not raw:
        return []
    parts = (_NAME_SPLIT if commas else _LIST_SPLIT).split(raw)
    return [p for p in parts if p][:50]


_YES = {"是", "有", "y", "yes", "true", "1", "√", "愿意"}
_NO = {"否", "无", "n", "no", "false", "0", "×", "不愿意"}


def parse_bool(raw: str, label: str) -> bool:
    key = unicodedata.normalize("NFKC", raw).strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError("bool_format", f"{label}应填“是”或“否”：{raw[:20]}", f"{label} must be yes or no")


_IMPLEMENTATION = {
    "未实施": ImplementationStatus.NOT_IMPLEMENTED,
    "not_implemented": ImplementationStatus.NOT_IMPLEMENTED,
    "已实施": ImplementationStatus.IMPLEMENTED,
    "implemented": ImplementationStatus.IMPLEMENTED,
    "已产业化": ImplementationStatus.INDUSTRIALISED,
    "产业化": ImplementationStatus.INDUSTRIALISED,
    "industrialised": ImplementationStatus.INDUSTRIALISED,
}


def parse_implementation(raw: str) -> str:
    value = _IMPLEMENTATION.get(raw.strip().lower())
    if value is None:
        raise CellError(
            "implementation_unknown",
            f"实施状态应为 未实施 / 已实施 / 已产业化：{raw[:20]}",
            "implementation status must be not_implemented / implemented / industrialised",
        )
    return str(value)


_MODES = {
    "转让": ConversionMode.TRANSFER,
    "transfer": ConversionMode.TRANSFER,
    "许可": ConversionMode.LICENCE,
    "普通许可": ConversionMode.LICENCE,
    "独占许可": ConversionMode.LICENCE,
    "排他许可": ConversionMode.LICENCE,
    "licence": ConversionMode.LICENCE,
    "license": ConversionMode.LICENCE,
    "作价入股": ConversionMode.EQUITY,
    "作价投资": ConversionMode.EQUITY,
    "equity": ConversionMode.EQUITY,
    "自行实施": ConversionMode.SELF_IMPLEMENTATION,
    "自行实施/产业化": ConversionMode.SELF_IMPLEMENTATION,
    "产业化": ConversionMode.SELF_IMPLEMENTATION,
    "self_implementation": ConversionMode.SELF_IMPLEMENTATION,
    "开放许可": ConversionMode.OPEN_LICENCE,
    "open_licence": ConversionMode.OPEN_LICENCE,
}


def parse_modes(raw: str) -> list[str]:
    modes: list[str] = []
    for part in split_names(raw, commas=True):
        value = _MODES.get(part.lower())
        if value is None:
            raise CellError(
                "conversion_mode_unknown",
                f"转化方式无法识别：{part[:20]}（可填 转让、许可、作价入股、自行实施、开放许可）",
                f"unknown conversion mode: {part[:20]}",
            )
        if str(value) not in modes:
            modes.append(str(value))
    return modes


def parse_trl(raw: str) -> int:
    text = unicodedata.normalize("NFKC", raw).strip().upper().removeprefix("TRL").strip()
    if text.isdigit() and 1 <= int(text) <= 9:
        return int(text)
    raise CellError("trl_range", f"技术成熟度应为 1–9 的整数：{raw[:20]}", "TRL must be an integer 1-9")


def parse_grade(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip().upper()[:1]
    if text in ("A", "B", "C", "D"):
        return text
    raise CellError(
        "grade_unknown", f"价值分级自评应为 A/B/C/D：{raw[:20]}", "value grade must be A, B, C or D"
    )


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_email(raw: str) -> str:
    if _EMAIL.match(raw):
        return raw
    raise CellError("email_format", f"联系邮箱格式不正确：{raw[:40]}", "malformed e-mail address")


_PHONE = re.compile(r"^\+?[\d\- ()]{7,20}$")


def parse_phone(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip()
    if _PHONE.match(text):
        return text
    raise CellError("phone_format", "联系电话格式不正确", "malformed phone number")


TEMPLATE_EXAMPLE = {
    "app_no": "201710601862.3",
    "pub_no": "CN107423234A",
    "title": "一种示例装置及其控制方法",
    "abstract": "本发明公开了一种……",
    "applicants": "示例大学",
    "patentees": "示例大学",
    "inventors": "王建国;李四",
    "application_date": "2017-07-21",
    "publication_date": "2017-12-01",
    "grant_date": "",
    "ipc": "G06F16/00;G06N3/08",
    "ipc_main": "G06F16/00",
    "legal_status": "有效",
    "patent_type": "发明",
    "source": "",
    "college": "计算机学院",
    "first_inventor": "王建国",
    "fiscal_funded": "是",
    "implementation_status": "未实施",
    "conversion_intent": "是",
    "conversion_modes": "转让;许可",
    "trl": "5",
    "value_self_grade": "B",
    "application_scenarios": "工业检测",
    "industrialisation_prospects": "可用于……",
    "contact_name": "李老师",
    "contact_phone": "023-12345678",
    "contact_email": "tto@example.edu.cn",
    "portfolio": "智能检测专利包",
}
