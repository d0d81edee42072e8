"""Abnormal-deal rules (DOMAIN §11, INFERRED, not official): each returns cases with evidence and a confidence.

Inputs are plain facts built by panhuo.monitoring from the deals tables; thresholds live in `Thresholds`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any

from engine.deals.money import format_fen


@dataclass(frozen=True)
class PartyFact:
    id: int
    name: str
    org_type: str = ""
    address: str = ""
    legal_representative: str = ""
    industry_codes: tuple[str, ...] = ()  # GB/T 4754 codes of the enterprise
    hnte_applied_on: date | None = None  # 高新技术企业 application date, when known


@dataclass(frozen=True)
class DealFact:
    id: int
    kind: str  # transfer | licence | open_licence | equity | pledge
    patent_ids: tuple[int, ...]
    patent_keys: tuple[str, ...]
    seller: PartyFact
    buyer: PartyFact
    signed_on: date
    contract_fen: int = 0
    received_fen: int = 0
    filed_on: date | None = None  # CNIPA 备案 / 登记
    tech_contract_registered: bool = False  # 技术合同登记
    inventors_before: tuple[str, ...] = ()
    pay_after_use: bool = False  # 先使用后付费: money falls due by the schedule, not at signing
    schedule: tuple[tuple[date, int], ...] = ()  # (due date, amount fen) instalments
    inventors_after: tuple[str, ...] = ()
    patent_industry_codes: tuple[str, ...] = ()  # GB/T 4754 codes derived from the IPC


@dataclass(frozen=True)
class Thresholds:
    retransfer_window_days: int = 365
    chain_min_transfers: int = 3
    bulk_min_patents: int = 10
    bulk_window_days: int = 365
    hnte_window_days: int = 180
    token_price_fen: int = 100  # ¥1 and below counts as token
    unpaid_grace_days: int = 180
    licence_grace_days: int = 180

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Thresholds:
        base = cls()
        if not data:
            return base
        names = {f.name for f in fields(cls)}
        return replace(base, **{k: int(v) for k, v in data.items() if k in names})


@dataclass(frozen=True)
class Case:
    rule: str
    deal_ids: tuple[int, ...]
    patents: tuple[str, ...]
    parties: tuple[str, ...]
    confidence: float
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return f"{self.rule}:{','.join(str(d) for d in sorted(self.deal_ids))}"


RULES = {
    "retransfer": "短期内转让后又转回(A→B→A)或连续转让",
    "bulk_buyer": "同一机构向同一受让方或关联受让方(同地址/同法定代表人)集中转让",
    "token_price": "零元或象征性价格",
    "unpaid": "合同金额未实际到账",
    "inventor_change": "转让前后发明人变更",
    "licence_unregistered": "许可备案但无技术合同登记或付款",
    "industry_mismatch": "受让企业行业与专利IPC无关联",
}

TRANSFERRING = ("transfer",)
MONEY_KINDS = ("transfer", "licence", "equity")


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def rule_retransfer(deals: list[DealFact], t: Thresholds) -> list[Case]:
    by_patent: dict[int, list[DealFact]] = defaultdict(list)
    for d in deals:
        if d.kind in TRANSFERRING:
            for pid in d.patent_ids:
                by_patent[pid].append(d)
    window = timedelta(days=t.retransfer_window_days)
    cases: dict[tuple[int, ...], Case] = {}
    for pid, chain in by_patent.items():
        if len(chain) < 2:
            continue
        chain.sort(key=lambda d: (d.signed_on, d.id))
        key = chain[0].patent_keys[chain[0].patent_ids.index(pid)]
        for i, first in enumerate(chain):
            run = [first]
            for nxt in chain[i + 1 :]:
                if nxt.signed_on - first.signed_on > window:
                    break
                run.append(nxt)
                back = nxt.buyer.id == first.seller.id
                if back or len(run) >= t.chain_min_transfers:
                    ids = tuple(d.id for d in run)
                    if ids in cases:
                        continue
                    days = (nxt.signed_on - first.signed_on).days
                    conf = 0.8 if back else 0.55
                    conf = min(0.95, conf + (0.1 if days <= 90 else 0.0))
                    path = [first.seller.name] + [d.buyer.name for d in run]
                    cases[ids] = Case(
                        "retransfer",
                        ids,
                        (key,),
                        tuple(dict.fromkeys(path)),
                        conf,
                        {
                            "path": path,
                            "days": days,
                            "returned_to_origin": back,
                            "dates": [d.signed_on.isoformat() for d in run],
                        },
                    )
                    break
    return list(cases.values())


def _norm(text: str) -> str:
    return re.sub(r"[\s,，。.()（）-]", "", text).lower()


def rule_bulk_buyer(deals: list[DealFact], t: Thresholds) -> list[Case]:
    transfers = [d for d in deals if d.kind in TRANSFERRING]
    # related buyers: same normalised address or same legal representative -> one cluster (union-find)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_by_attr: dict[tuple[str, str], int] = {}
    buyers: dict[int, PartyFact] = {}
    for d in transfers:
        b = d.buyer
        buyers[b.id] = b
        find(b.id)
        for attr, value in (("addr", _norm(b.address)), ("rep", _norm(b.legal_representative))):
            if value:
                other = first_by_attr.setdefault((attr, value), b.id)
                if other != b.id:
                    parent[find(b.id)] = find(other)
    groups: dict[tuple[int, int], list[DealFact]] = defaultdict(list)
    for d in transfers:
        groups[(d.seller.id, find(d.buyer.id))].append(d)
    window = timedelta(days=t.bulk_window_days)
    cases: list[Case] = []
    for (_seller, _cluster), group in groups.items():
        group.sort(key=lambda d: (d.signed_on, d.id))
        # the densest window of transfers from this seller to this buyer cluster
        best: list[DealFact] = []
        j = 0
        count = 0
        for i in range(len(group)):
            while group[i].signed_on - group[j].signed_on > window:
                count -= len(group[j].patent_ids)
                j += 1
            count += len(group[i].patent_ids)
            if count > sum(len(d.patent_ids) for d in best):
                best = group[j : i + 1]
        n_patents = sum(len(d.patent_ids) for d in best)
        if n_patents < t.bulk_min_patents:
            continue
        buyer_ids = sorted({d.buyer.id for d in best})
        related = len(buyer_ids) > 1
        last = best[-1].signed_on
        hnte = [
            buyers[b].hnte_applied_on
            for b in buyer_ids
            if buyers[b].hnte_applied_on
            and timedelta(0) <= buyers[b].hnte_applied_on - last <= timedelta(days=t.hnte_window_days)  # type: ignore[operator]
        ]
        conf = 0.5 + (0.15 if related else 0.0) + (0.25 if hnte else 0.0)
        conf += min(0.1, (n_patents - t.bulk_min_patents) / 100)
        keys = tuple(dict.fromkeys(k for d in best for k in d.patent_keys))
        cases.append(
            Case(
                "bulk_buyer",
                tuple(d.id for d in best),
                keys,
                tuple(dict.fromkeys([best[0].seller.name] + [buyers[b].name for b in buyer_ids])),
                round(min(conf, 0.95), 2),
                {
                    "patents": n_patents,
                    "from": best[0].signed_on.isoformat(),
                    "to": last.isoformat(),
                    "related_buyers": related,
                    "shared_address": sorted({buyers[b].address for b in buyer_ids}) if related else [],
                    "shared_legal_representative": sorted({buyers[b].legal_representative for b in buyer_ids})
                    if related
                    else [],
                    "hnte_applied_on": [_iso(h) for h in hnte],
                },
            )
        )
    return cases


def rule_token_price(deals: list[DealFact], t: Thresholds) -> list[Case]:
    out = []
    for d in deals:
        if d.kind in MONEY_KINDS and d.contract_fen <= t.token_price_fen:
            out.append(
                Case(
                    "token_price",
                    (d.id,),
                    d.patent_keys,
                    (d.seller.name, d.buyer.name),
                    0.7 if d.contract_fen == 0 else 0.6,
                    {"kind": d.kind, "contract_fen": d.contract_fen, "threshold_fen": t.token_price_fen},
                )
            )
    return out


def rule_unpaid(deals: list[DealFact], t: Thresholds, as_of: date) -> list[Case]:
    """Nothing received long after signing; a pay-after-use licence only once an instalment is overdue."""
    out = []
    grace = timedelta(days=t.unpaid_grace_days)
    for d in deals:
        if d.kind not in MONEY_KINDS or d.contract_fen <= t.token_price_fen:
            continue
        if d.pay_after_use:
            due = sum(fen for on, fen in d.schedule if as_of - on >= grace)
            if due <= t.token_price_fen or d.received_fen >= due:
                continue
            since = min(on for on, _ in d.schedule if as_of - on >= grace)
            evidence: dict[str, object] = {
                "contract_fen": d.contract_fen,
                "received_fen": d.received_fen,
                "due_fen": due,
                "first_due_on": since.isoformat(),
                "pay_after_use": True,
            }
        elif d.received_fen == 0 and as_of - d.signed_on >= grace:
            since = d.signed_on
            evidence = {
                "contract_fen": d.contract_fen,
                "received_fen": 0,
                "signed_on": d.signed_on.isoformat(),
            }
        else:
            continue
        days = (as_of - since).days
        evidence["days_since_signing" if not d.pay_after_use else "days_overdue"] = days
        out.append(
            Case(
                "unpaid",
                (d.id,),
                d.patent_keys,
                (d.seller.name, d.buyer.name),
                round(min(0.9, 0.5 + days / 3650), 2),
                evidence,
            )
        )
    return out


def rule_inventor_change(deals: list[DealFact], t: Thresholds) -> list[Case]:
    out = []
    for d in deals:
        if d.kind in TRANSFERRING and d.inventors_before and d.inventors_after:
            removed = sorted(set(d.inventors_before) - set(d.inventors_after))
            added = sorted(set(d.inventors_after) - set(d.inventors_before))
            if removed or added:
                out.append(
                    Case(
                        "inventor_change",
                        (d.id,),
                        d.patent_keys,
                        (d.seller.name, d.buyer.name),
                        0.75 if added else 0.6,
                        {"removed": removed, "added": added},
                    )
                )
    return out


def rule_licence_unregistered(deals: list[DealFact], t: Thresholds, as_of: date) -> list[Case]:
    out = []
    grace = timedelta(days=t.licence_grace_days)
    for d in deals:
        if d.kind == "licence" and d.filed_on and not d.tech_contract_registered and d.received_fen == 0:
            if as_of - d.filed_on >= grace:
                out.append(
                    Case(
                        "licence_unregistered",
                        (d.id,),
                        d.patent_keys,
                        (d.seller.name, d.buyer.name),
                        0.6,
                        {
                            "filed_on": d.filed_on.isoformat(),
                            "tech_contract_registered": False,
                            "received_fen": 0,
                        },
                    )
                )
    return out


def rule_industry_mismatch(deals: list[DealFact], t: Thresholds) -> list[Case]:
    out = []
    for d in deals:
        if d.kind not in TRANSFERRING or d.buyer.org_type not in ("enterprise", ""):
            continue
        if not d.buyer.industry_codes or not d.patent_industry_codes:
            continue

        # GB/T 4754 codes: section letter + digits, or digits only; compare at division (2 digits)
        def div(code: str) -> str:
            digits = re.sub(r"\D", "", code)
            return digits[:2]

        buyer_div = {div(c) for c in d.buyer.industry_codes if div(c)}
        patent_div = {div(c) for c in d.patent_industry_codes if div(c)}
        if buyer_div and patent_div and not (buyer_div & patent_div):
            out.append(
                Case(
                    "industry_mismatch",
                    (d.id,),
                    d.patent_keys,
                    (d.seller.name, d.buyer.name),
                    0.45,
                    {
                        "buyer_industries": sorted(d.buyer.industry_codes),
                        "patent_industries": sorted(d.patent_industry_codes),
                        "compared_at": "GB/T 4754 大类",
                    },
                )
            )
    return out


def run_rules(
    deals: list[DealFact],
    *,
    as_of: date,
    thresholds: Thresholds | None = None,
    enabled: set[str] | None = None,
) -> list[Case]:
    t = thresholds or Thresholds()
    on = enabled if enabled is not None else set(RULES)
    cases: list[Case] = []
    if "retransfer" in on:
        cases += rule_retransfer(deals, t)
    if "bulk_buyer" in on:
        cases += rule_bulk_buyer(deals, t)
    if "token_price" in on:
        cases += rule_token_price(deals, t)
    if "unpaid" in on:
        cases += rule_unpaid(deals, t, as_of)
    if "inventor_change" in on:
        cases += rule_inventor_change(deals, t)
    if "licence_unregistered" in on:
        cases += rule_licence_unregistered(deals, t, as_of)
    if "industry_mismatch" in on:
        cases += rule_industry_mismatch(deals, t)
    return cases


KIND_LABELS = {
    "transfer": "转让",
    "licence": "许可",
    "open_licence": "开放许可",
    "equity": "作价入股",
    "pledge": "质押",
}


def _yuan(fen: Any) -> str:
    return f"{format_fen(int(fen or 0))} 元"


def _names(values: Any) -> str:
    return "、".join(str(v) for v in values or []) or "（无）"


def explain(rule: str, evidence: dict[str, Any]) -> list[str]:
    """The evidence of a case as Chinese sentences a reviewer can read (dates kept as YYYY-MM-DD)."""
    e = evidence or {}
    if rule == "retransfer":
        path = " → ".join(str(p) for p in e.get("path", []))
        dates = "、".join(e.get("dates", []))
        first = f"转让路径：{path}（签订日期 {dates}，首尾相隔 {e.get('days', 0)} 天）。"
        second = (
            "专利在窗口期内转回了最初的权利人。"
            if e.get("returned_to_origin")
            else "专利在窗口期内被连续转让。"
        )
        return [first, second]
    if rule == "bulk_buyer":
        out = [
            f"{e.get('from', '')} 至 {e.get('to', '')} 期间向同一受让方集中转让 {e.get('patents', 0)} 件专利。"
        ]
        if e.get("related_buyers"):
            if any(e.get("shared_address") or []):
                out.append(f"受让方为关联企业，共用地址：{_names(e.get('shared_address'))}。")
            if any(e.get("shared_legal_representative") or []):
                out.append(f"受让方为关联企业，法定代表人：{_names(e.get('shared_legal_representative'))}。")
        if e.get("hnte_applied_on"):
            out.append(f"受让方在转让后不久申请高新技术企业认定（{_names(e.get('hnte_applied_on'))}）。")
        return out
    if rule == "token_price":
        kind = KIND_LABELS.get(str(e.get("kind", "")), "交易")
        return [
            f"{kind}合同金额 {_yuan(e.get('contract_fen'))}，不高于象征性价格线 {_yuan(e.get('threshold_fen'))}。"
        ]
    if rule == "unpaid":
        return [
            f"合同于 {e.get('signed_on', '')} 签订，金额 {_yuan(e.get('contract_fen'))}，"
            f"{e.get('days_since_signing', 0)} 天后仍无到账记录。"
        ]
    if rule == "inventor_change":
        return [f"转让前后发明人发生变化：删去 {_names(e.get('removed'))}，新增 {_names(e.get('added'))}。"]
    if rule == "licence_unregistered":
        return [f"许可已于 {e.get('filed_on', '')} 备案，但没有技术合同登记，也没有到账记录。"]
    if rule == "industry_mismatch":
        return [
            f"受让企业行业（{_names(e.get('buyer_industries'))}）与专利对应行业"
            f"（{_names(e.get('patent_industries'))}）在 GB/T 4754 大类上没有重合。"
        ]
    return [f"{k}：{v}" for k, v in e.items()]
