"""A scheme's stored form (a plain dict, JSON in the database) and its validation: every problem at once.

`scheme_from_dict` is the one gate for stored versions, presets, the API's JSON and the form's parsed text;
`parse_percent_ppm` / `format_ppm` read and write the percentages people type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.programmes.subsidy import (
    BASES,
    CONDITIONS,
    EVENTS,
    MAX_FEN,
    ORG_TYPES,
    PATENT_TYPES,
    PPM,
    RATE_BASES,
    REGION_ROLES,
    ROLES,
    SIZES,
    Rule,
    Scheme,
)


@dataclass
class SchemeInvalid(ValueError):
    """Every problem of a definition at once: (field, 中文, English)."""

    errors: list[tuple[str, str, str]]


def scheme_to_dict(scheme: Scheme) -> dict[str, Any]:
    return {
        "name": scheme.name,
        "unit_cap_fen": scheme.unit_cap_fen,
        "pool_fen": scheme.pool_fen,
        "no_double_support": scheme.no_double_support,
        "region_role": scheme.region_role,
        "source": scheme.source,
        "rules": [
            {
                "code": r.code,
                "label": r.label,
                "event": r.event,
                "basis": r.basis,
                "beneficiaries": list(r.beneficiaries),
                "amount_fen": r.amount_fen,
                "rate_ppm": r.rate_ppm,
                "min_basis_fen": r.min_basis_fen,
                "line_cap_fen": r.line_cap_fen,
                "patent_types": list(r.patent_types),
                "supplier_types": list(r.supplier_types),
                "enterprise_types": list(r.enterprise_types),
                "enterprise_sizes": list(r.enterprise_sizes),
                "group": r.group,
                "requires": list(r.requires),
            }
            for r in scheme.rules
        ],
    }


def _choices(
    errors: list[tuple[str, str, str]], where: str, zh: str, values: Any, allowed: dict[str, str]
) -> tuple[str, ...]:
    items = tuple(str(v) for v in (values or ()))
    bad = [v for v in items if v not in allowed]
    if bad:
        errors.append(
            (where, f"{zh}：无效的取值 {'、'.join(bad)}", f"{where}: invalid value(s) {', '.join(bad)}")
        )
    return tuple(v for v in items if v in allowed)


def _amount(
    errors: list[tuple[str, str, str]], where: str, zh: str, value: Any, *, optional: bool
) -> int | None:
    if value is None or value == "":
        if optional:
            return None
        return 0
    try:
        n = int(value)
    except (TypeError, ValueError):
        errors.append((where, f"{zh}须为整数（分）", f"{where} must be an integer (fen)"))
        return None
    if n < 0 or n > MAX_FEN:
        errors.append((where, f"{zh}须在 0 与 10^15 元之间", f"{where} out of range"))
        return None
    return n


def scheme_from_dict(data: dict[str, Any]) -> Scheme:
    """Validate a stored / submitted definition; every error at once (`SchemeInvalid`)."""
    errors: list[tuple[str, str, str]] = []
    name = str(data.get("name") or "").strip()
    if not name:
        errors.append(("name", "请填写方案名称", "name is required"))
    unit_cap = _amount(errors, "unit_cap_fen", "同一单位上限", data.get("unit_cap_fen"), optional=True)
    pool = _amount(errors, "pool_fen", "资金总额", data.get("pool_fen"), optional=True)
    region_role = str(data.get("region_role") or "enterprise")
    if region_role not in REGION_ROLES:
        errors.append(("region_role", "地区条件无效", "invalid region condition"))
    raw_rules = data.get("rules") or []
    if not isinstance(raw_rules, list) or not raw_rules:
        errors.append(("rules", "至少需要一条奖补规则", "at least one rule"))
        raw_rules = []
    rules: list[Rule] = []
    codes: set[str] = set()
    for i, raw in enumerate(raw_rules):
        at = f"rules[{i}]"
        zh = f"第{i + 1}条规则"
        if not isinstance(raw, dict):
            errors.append((at, f"{zh}格式无效", f"{at}: not an object"))
            continue
        n_before = len(errors)
        code = str(raw.get("code") or "").strip()
        if not code or len(code) > 32 or not all(ch.isalnum() or ch in "_-" for ch in code):
            errors.append((f"{at}.code", f"{zh}：编号须为 1–32 位字母、数字、- 或 _", f"{at}.code invalid"))
        elif code in codes:
            errors.append((f"{at}.code", f"{zh}：编号 {code} 重复", f"{at}.code duplicate"))
        codes.add(code)
        label = str(raw.get("label") or "").strip()
        if not label:
            errors.append((f"{at}.label", f"{zh}：请填写名称", f"{at}.label is required"))
        event = str(raw.get("event") or "")
        if event not in EVENTS:
            errors.append((f"{at}.event", f"{zh}：请选择交易类型", f"{at}.event invalid"))
        basis = str(raw.get("basis") or "")
        if basis not in BASES:
            errors.append((f"{at}.basis", f"{zh}：请选择计算方式", f"{at}.basis invalid"))
        amount = (
            _amount(errors, f"{at}.amount_fen", f"{zh}：定额", raw.get("amount_fen"), optional=False) or 0
        )
        min_basis = (
            _amount(
                errors, f"{at}.min_basis_fen", f"{zh}：起算金额", raw.get("min_basis_fen"), optional=False
            )
            or 0
        )
        line_cap = _amount(
            errors, f"{at}.line_cap_fen", f"{zh}：单项上限", raw.get("line_cap_fen"), optional=True
        )
        try:
            rate = int(raw.get("rate_ppm") or 0)
        except (TypeError, ValueError):
            rate = -1
        if not 0 <= rate <= PPM:
            errors.append((f"{at}.rate_ppm", f"{zh}：比例须在 0–100% 之间", f"{at}.rate out of 0–100%"))
        if basis in RATE_BASES and rate == 0:
            errors.append(
                (f"{at}.rate_ppm", f"{zh}：按比例计算须填写比例", f"{at}: a rate basis needs a rate")
            )
        if basis in ("per_patent", "per_deal") and amount == 0:
            errors.append(
                (f"{at}.amount_fen", f"{zh}：定额计算须填写金额", f"{at}: a fixed basis needs an amount")
            )
        if basis in ("interest_pct", "premium_pct", "loan_pct") and event and event != "pledge":
            errors.append(
                (
                    f"{at}.basis",
                    f"{zh}：贷款、利息和保费只适用于质押融资",
                    f"{at}: loan bases are for pledges only",
                )
            )
        beneficiaries = _choices(
            errors, f"{at}.beneficiaries", f"{zh}：受益方", raw.get("beneficiaries"), ROLES
        )
        if not beneficiaries and not raw.get("beneficiaries"):
            errors.append((f"{at}.beneficiaries", f"{zh}：请选择受益方", f"{at}: choose a beneficiary"))
        patent_types = _choices(
            errors, f"{at}.patent_types", f"{zh}：专利类型", raw.get("patent_types"), PATENT_TYPES
        )
        supplier_types = _choices(
            errors, f"{at}.supplier_types", f"{zh}：供给方类型", raw.get("supplier_types"), ORG_TYPES
        )
        enterprise_types = _choices(
            errors, f"{at}.enterprise_types", f"{zh}：企业方类型", raw.get("enterprise_types"), ORG_TYPES
        )
        sizes = _choices(
            errors, f"{at}.enterprise_sizes", f"{zh}：企业规模", raw.get("enterprise_sizes"), SIZES
        )
        requires = _choices(errors, f"{at}.requires", f"{zh}：支付条件", raw.get("requires"), CONDITIONS)
        group = str(raw.get("group") or "").strip()[:32]
        if len(errors) == n_before:
            rules.append(
                Rule(
                    code=code,
                    label=label,
                    event=event,
                    basis=basis,
                    beneficiaries=beneficiaries,
                    amount_fen=amount,
                    rate_ppm=rate,
                    min_basis_fen=min_basis,
                    line_cap_fen=line_cap,
                    patent_types=patent_types,
                    supplier_types=supplier_types,
                    enterprise_types=enterprise_types,
                    enterprise_sizes=sizes,
                    group=group,
                    requires=requires,
                )
            )
    if errors:
        raise SchemeInvalid(errors)
    return Scheme(
        name=name,
        rules=tuple(rules),
        unit_cap_fen=unit_cap,
        pool_fen=pool,
        no_double_support=bool(data.get("no_double_support", True)),
        region_role=region_role,
        source=str(data.get("source") or ""),
    )


def parse_percent_ppm(text: str) -> int:
    """'0.1' or '0.1%' (percent) -> 1,000 ppm; at most four decimals; ValueError otherwise."""
    t = (text or "").strip().replace("％", "%").rstrip("%").strip()
    if not t:
        return 0
    whole, _, frac = t.partition(".")
    if not whole.isdigit() and whole != "" or (frac and not frac.isdigit()) or len(frac) > 4:
        raise ValueError(text)
    return int(whole or "0") * 10_000 + int((frac + "0000")[:4])


def format_ppm(ppm: int) -> str:
    """1,000 ppm -> '0.1%'."""
    whole, frac = divmod(ppm, 10_000)
    text = f"{whole}.{frac:04d}".rstrip("0").rstrip(".")
    return f"{text}%"
