"""A landscape scope (专利导航分析范围): what it holds, how it is read from a form or the command line, how it prints."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q

from engine.classification.ipc import IpcError, parse_ipc, split_ipc_list
from engine.landscape.holders import HOLDER_TYPE_LABELS, HolderType
from panhuo.common.errors import ApplicationError
from panhuo.patents.models import LegalStatus, PatentType

MAX_ITEMS = 20
YEAR_MIN, YEAR_MAX = 1985, 2100
_SPLIT = re.compile(r"[;；,，|、\s]+")
_INDUSTRY = re.compile(r"^([A-T])?(\d{2,4})?$")
_SEI = re.compile(r"^\d(\.\d{1,2}){0,2}$")
_REGION = re.compile(r"^\d{2}(\d{2}){0,2}$")


@dataclass(frozen=True)
class ScopeDefinition:
    """Every filter is optional; lists are OR within a filter, filters are AND together."""

    ipc: tuple[str, ...] = ()  # canonical codes, any level ("H01M", "H01M10/00", "H01M10/052")
    industries: tuple[str, ...] = ()  # GB/T 4754: 门类 letter, 大类/中类/小类 digits
    sei: tuple[str, ...] = ()  # 战略性新兴产业 codes ("1", "1.2", "1.2.3")
    keywords: tuple[str, ...] = ()
    region: str = ""  # holders' region prefix ("50", "5001")
    holder_types: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    patent_types: tuple[str, ...] = ()
    legal_statuses: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScopeDefinition:
        return parse_scope(data)

    def without_region(self) -> ScopeDefinition:
        data = self.to_json()
        data["region"] = ""
        return parse_scope(data)

    @property
    def is_empty(self) -> bool:
        return not any(v for v in self.to_json().values())

    def describe(self, *, region_name: str = "") -> list[tuple[str, str]]:
        """(label, value) lines printed with every figure and report so the figures can be reproduced."""
        lines: list[tuple[str, str]] = []
        if self.ipc:
            lines.append(("IPC 分类号", "、".join(self.ipc)))
        if self.industries:
            lines.append(("国民经济行业 (GB/T 4754-2017)", "、".join(self.industries)))
        if self.sei:
            lines.append(("战略性新兴产业", "、".join(self.sei)))
        if self.keywords:
            lines.append(("关键词（分词后标题或摘要均含）", "、".join(self.keywords)))
        if self.region:
            lines.append(("权利人所在地区", f"{region_name or self.region}（代码前缀 {self.region}）"))
        if self.holder_types:
            lines.append(
                ("权利人类型", "、".join(HOLDER_TYPE_LABELS[HolderType(t)] for t in self.holder_types))
            )
        if self.year_from or self.year_to:
            lines.append(("申请年份", f"{self.year_from or '不限'}–{self.year_to or '不限'}"))
        if self.patent_types:
            lines.append(("专利类型", "、".join(PatentType(t).label for t in self.patent_types)))
        if self.legal_statuses:
            lines.append(("法律状态", "、".join(LegalStatus(s).label for s in self.legal_statuses)))
        return lines or [("范围", "全部可见专利")]


class ScopeInvalid(ApplicationError):
    """All problems of one scope definition at once (`errors`: field → bilingual message)."""

    def __init__(self, errors: dict[str, str]) -> None:
        english = [m[m.rfind("(") + 1 : -1] if m.endswith(")") and "(" in m else m for m in errors.values()]
        super().__init__(
            code="scope_invalid",
            message_zh="分析范围有误：" + "；".join(errors.values()),
            message_en="the scope definition has errors: "
            + "; ".join(f"{k}: {e}" for k, e in zip(errors, english, strict=True)),
            field=next(iter(errors), None),
            extra={"errors": errors},
        )
        self.errors = errors


def _items(value: Any) -> list[str]:
    """A list, a tuple or a text with separators → non-empty stripped items."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        out: list[str] = []
        for v in value:
            out.extend(_items(v))
        return out
    return [p for p in _SPLIT.split(str(value).strip()) if p]


def _year(value: Any, name: str, errors: dict[str, str]) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit() or not YEAR_MIN <= int(text) <= YEAR_MAX:
        errors[name] = (
            f"年份应为 {YEAR_MIN}–{YEAR_MAX} 之间的四位数字：{text[:10]} (year must be {YEAR_MIN}–{YEAR_MAX})"
        )
        return None
    return int(text)


def unknown_ipc_codes(codes: list[str]) -> list[str]:
    """Codes (well formed) that name no IPC node of the loaded reference, nor lead to one.

    Without reference data loaded (an empty IPC table) nothing can be checked and nothing is refused.
    """
    from panhuo.classification.models import IpcNode

    if not codes or not IpcNode.objects.exists():
        return []
    unknown = []
    for code in codes:
        # the code itself, or deeper codes under it (H01M10/05 leads to H01M10/052); a main group H01M10/00 also
        # counts as known through its subgroups H01M10/…
        prefix = code[:-2] if code.endswith("/00") else code
        if not IpcNode.objects.filter(Q(code=code) | Q(code__startswith=prefix)).exists():
            unknown.append(code)
    return unknown


def parse_scope(data: Any, *, check_codes: bool = False) -> ScopeDefinition:
    """Read a scope from a dict / QueryDict (lists or separated text); raises ScopeInvalid with every error.

    `check_codes`: also refuse IPC codes the reference does not know (what users type; stored scopes are not
    re-checked, so a reference update never breaks a saved scope).
    """

    def get(name: str) -> Any:
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            values = getlist(name)
            return values if len(values) != 1 else values[0]
        return data.get(name)

    errors: dict[str, str] = {}
    ipc: list[str] = []
    for raw in _items([split_ipc_list(v) for v in _items(get("ipc"))]):
        try:
            ipc.append(parse_ipc(raw).code)
        except IpcError:
            errors["ipc"] = f"IPC 分类号格式不正确：{raw[:20]} (malformed IPC code)"
    if check_codes and "ipc" not in errors:
        unknown = unknown_ipc_codes(ipc)
        if unknown:
            errors["ipc"] = f"IPC 分类号不存在：{'、'.join(u[:20] for u in unknown[:5])} (unknown IPC code)"
    industries: list[str] = []
    for raw in _items(get("industries")):
        code = raw.upper()
        m = _INDUSTRY.match(code)
        if not m or not (m.group(1) or m.group(2)):
            errors["industries"] = (
                f"行业代码应为门类字母或 2–4 位数字，如 C、38、C3841：{raw[:10]} (GB/T 4754 code)"
            )
            continue
        industries.append(m.group(2) or m.group(1))  # C3841 → 3841 (the digits name the class); C → C
    sei = [s for s in _items(get("sei"))]
    for s in sei:
        if not _SEI.match(s):
            errors["sei"] = f"战略性新兴产业代码应形如 1、1.2、1.2.3：{s[:10]} (SEI code)"
    keywords = [k[:30] for k in _items(get("keywords"))]
    region = str(get("region") or "").strip()
    if region and not _REGION.match(region):
        errors["region"] = (
            f"地区应为 2、4 或 6 位行政区划代码前缀，如 50、5001：{region[:10]} (region prefix)"
        )
    holder_types = _items(get("holder_types"))
    for t in holder_types:
        if t not in HolderType.__members__.values():
            errors["holder_types"] = f"未知的权利人类型：{t[:20]} (unknown holder type)"
    year_from = _year(get("year_from"), "year_from", errors)
    year_to = _year(get("year_to"), "year_to", errors)
    if year_from and year_to and year_from > year_to:
        errors["year_to"] = "截止年份早于起始年份 (year_to is before year_from)"
    patent_types = _items(get("patent_types"))
    for t in patent_types:
        if t not in PatentType.values:
            errors["patent_types"] = f"未知的专利类型：{t[:20]} (unknown patent type)"
    statuses = _items(get("legal_statuses"))
    for s in statuses:
        if s not in LegalStatus.values:
            errors["legal_statuses"] = f"未知的法律状态：{s[:20]} (unknown legal status)"
    for name, values in (("ipc", ipc), ("industries", industries), ("sei", sei), ("keywords", keywords)):
        if len(values) > MAX_ITEMS:
            errors[name] = f"最多 {MAX_ITEMS} 项 (at most {MAX_ITEMS} items)"
    if errors:
        raise ScopeInvalid(errors)

    def uniq(values: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(values))

    return ScopeDefinition(
        ipc=uniq(ipc),
        industries=uniq(industries),
        sei=uniq(sei),
        keywords=uniq(keywords),
        region=region,
        holder_types=uniq(holder_types),
        year_from=year_from,
        year_to=year_to,
        patent_types=uniq(patent_types),
        legal_statuses=uniq(statuses),
    )
