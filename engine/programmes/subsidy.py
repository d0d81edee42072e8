"""奖补方案 as data: rules an IP office configures, the items they earn, the holds, caps and the pool. Integer fen.

A scheme (`Scheme`) is a set of rules plus a per-unit cap, a pool and the no-double-support switch. Stored as a
plain dict (`definition.scheme_to_dict` / `scheme_from_dict`, JSON in the database, one immutable version per
change) so a batch is reproduced from the version it used.

An item ("line") is one rule paid to one beneficiary for one event (deal):
  per_patent   amount_fen × the event's patents of the rule's types          (转让 0.4 万元/件)
  per_deal     amount_fen once per event
  contract_pct floor(contract_fen × rate_ppm / 1e6), only when contract_fen > min_basis_fen
  received_pct the same on the amount actually received                        (沪: 实际到账金额的 0.1%)
  loan_pct     the same on the pledge loan amount                               (渝: 实际质押融资金额的 0.1%)
  interest_pct the same on the loan interest actually paid                      (吉: 贴息)
  premium_pct  the same on the guarantee / insurance premium paid               (吉: 保费补助)
then capped by line_cap_fen. Rates are parts per million (0.01% = 100 ppm).

Selection (`select`), in this order per candidate: held back when already claimed under this scheme, supported
by another scheme (no double support), in an open / confirmed anomaly case, not filed / registered while the rule
requires it, not paid in full while the rule requires it, or the enterprise's size / region is only
self-declared. 从高不重复: candidates of one event and beneficiary whose rules share a `group` are one support:
only the highest is kept (ties: the earlier rule), and when any rule of the group was already claimed the whole
group is held as claimed.

Allocation (`allocate`): per-unit cap minus what earlier batches of the scheme paid the unit, then the pool
minus what earlier batches paid; when the capped claims exceed what is left of the pool each unit gets
floor(claim × left / total) and the fen left over go one by one to the largest remainders (ties: smaller unit
id), so the payouts sum to what is left exactly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

PPM = 1_000_000
MAX_FEN = 10**17

EVENTS: dict[str, str] = {
    "transfer": "专利转让",
    "licence": "专利许可",
    "open_licence": "开放许可",
    "equity": "作价入股",
    "pledge": "专利质押融资",
}
BASES: dict[str, str] = {
    "per_patent": "每件专利定额",
    "per_deal": "每笔定额",
    "contract_pct": "合同金额的比例",
    "received_pct": "实际到账金额的比例",
    "loan_pct": "质押融资金额的比例",
    "interest_pct": "实际支付利息的比例（贴息）",
    "premium_pct": "实际支付保费的比例（保费补助）",
}
RATE_BASES = ("contract_pct", "received_pct", "loan_pct", "interest_pct", "premium_pct")
ROLES: dict[str, str] = {
    "supplier": "供给方（转让人/许可人/出资方）",
    "enterprise": "企业方（受让人/被许可人/被投资企业/出质人）",
    "service_team": "供给方服务团队（经由高校院所发放）",
    "broker": "服务机构（撮合方）",
}
ORG_TYPES: dict[str, str] = {
    "university": "高校",
    "institute": "科研院所",
    "enterprise": "企业",
    "agency": "服务机构",
    "bank": "金融机构",
}
SIZES: dict[str, str] = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
CONDITIONS: dict[str, str] = {"paid": "合同价款已全部到账", "filed": "已在国家知识产权局备案/登记"}
PATENT_TYPES: dict[str, str] = {"invention": "发明", "utility": "实用新型", "design": "外观设计"}
REGION_ROLES: dict[str, str] = {
    "enterprise": "企业方在本辖区",
    "supplier": "供给方在本辖区",
    "any": "任一方在本辖区",
}
# The fields an event's amount basis reads.
_BASIS_FIELD = {
    "contract_pct": "contract_fen",
    "received_pct": "received_fen",
    "loan_pct": "contract_fen",
    "interest_pct": "interest_paid_fen",
    "premium_pct": "premium_paid_fen",
}

HOLD_REASONS: dict[str, str] = {
    "already_claimed": "已在其他批次申报，不重复奖补",
    "other_scheme": "已获其他奖补方案支持，不重复支持",
    "anomaly": "存在待核查或已确认的异常交易案件",
    "not_filed": "尚未在国家知识产权局办理备案/登记",
    "unpaid": "合同价款未全部到账",
    "self_declared": "企业规模或地区仅为自报，未经知识产权局确认",
}


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    event: str
    basis: str
    beneficiaries: tuple[str, ...]
    amount_fen: int = 0
    rate_ppm: int = 0
    min_basis_fen: int = 0  # a rate applies only when its basis is above this ("超过")
    line_cap_fen: int | None = None  # one item at most this much (e.g. 贴息 per loan)
    patent_types: tuple[str, ...] = ()  # empty: any
    supplier_types: tuple[str, ...] = ()  # empty: any
    enterprise_types: tuple[str, ...] = ()
    enterprise_sizes: tuple[str, ...] = ()  # empty: any size
    group: str = ""  # 从高不重复 group within the scheme
    requires: tuple[str, ...] = ()  # payment conditions: paid, filed


@dataclass(frozen=True)
class Scheme:
    name: str
    rules: tuple[Rule, ...]
    unit_cap_fen: int | None = None  # 同一单位 across every batch of the scheme
    pool_fen: int | None = None  # 本项目奖补资金总额 across every batch
    no_double_support: bool = True  # 已获得其他财政资金支持的项目不再重复支持
    region_role: str = "enterprise"  # which party must be in the office's region
    source: str = ""


@dataclass(frozen=True)
class Party:
    entity_id: int
    org_type: str
    size: str = ""
    region_code: str = ""
    confirmed: bool = True  # enterprise size / region confirmed by the office


@dataclass(frozen=True)
class Event:
    ref: str
    kind: str
    patent_types: tuple[str, ...]  # one per patent of the deal
    contract_fen: int
    received_fen: int = 0
    interest_paid_fen: int = 0
    premium_paid_fen: int = 0
    filed: bool = False
    parties: dict[str, Party] = field(default_factory=dict)  # role -> party


@dataclass(frozen=True)
class Line:
    ref: str
    rule: str
    entity_id: int
    amount_fen: int
    group: str = ""


@dataclass(frozen=True)
class Hold:
    line: Line
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Superseded:
    line: Line
    by_rule: str  # the higher rule of the same 从高不重复 group that is paid instead


@dataclass(frozen=True)
class Selection:
    lines: tuple[Line, ...]
    holds: tuple[Hold, ...]
    superseded: tuple[Superseded, ...]


@dataclass(frozen=True)
class History:
    """What earlier batches decided, read by the caller from its store."""

    claimed: frozenset[tuple[str, str, int]] = frozenset()  # (ref, rule, entity) paid under this scheme
    supported_elsewhere: frozenset[tuple[str, int]] = frozenset()  # (ref, entity) paid by another scheme
    flagged_refs: frozenset[str] = frozenset()  # events in an open or confirmed anomaly case
    paid_by_unit: dict[int, int] = field(default_factory=dict)  # fen paid to each unit by earlier batches
    pool_used_fen: int = 0  # fen paid by earlier batches


@dataclass(frozen=True)
class Award:
    entity_id: int
    claimed_fen: int
    capped_fen: int
    paid_fen: int


@dataclass(frozen=True)
class Allocation:
    awards: tuple[Award, ...]
    total_claimed_fen: int
    total_capped_fen: int
    total_paid_fen: int
    scaled: bool
    pool_left_fen: int | None


# ---- candidates --------------------------------------------------------------------------------------------


def in_region(scheme: Scheme, event: Event, prefixes: tuple[str, ...]) -> bool:
    roles = ("supplier", "enterprise") if scheme.region_role == "any" else (scheme.region_role,)
    for role in roles:
        party = event.parties.get(role)
        if party is not None and any(party.region_code.startswith(p) for p in prefixes):
            return True
    return False


def _eligible(rule: Rule, event: Event) -> bool:
    if rule.event != event.kind:
        return False
    supplier, enterprise = event.parties.get("supplier"), event.parties.get("enterprise")
    if rule.supplier_types and (supplier is None or supplier.org_type not in rule.supplier_types):
        return False
    if rule.enterprise_types and (enterprise is None or enterprise.org_type not in rule.enterprise_types):
        return False
    if rule.enterprise_sizes and (enterprise is None or enterprise.size not in rule.enterprise_sizes):
        return False
    if rule.patent_types and not any(t in rule.patent_types for t in event.patent_types):
        return False
    return True


def rule_amount(rule: Rule, event: Event) -> int:
    """What one beneficiary earns from `rule` for `event` (0: nothing)."""
    if rule.basis == "per_patent":
        n = sum(1 for t in event.patent_types if not rule.patent_types or t in rule.patent_types)
        amount = rule.amount_fen * n
    elif rule.basis == "per_deal":
        amount = rule.amount_fen
    else:
        basis: int = getattr(event, _BASIS_FIELD[rule.basis])
        if basis < 0:
            raise ValueError(f"negative amount on {event.ref}")
        amount = basis * rule.rate_ppm // PPM if basis > rule.min_basis_fen else 0
    if rule.line_cap_fen is not None:
        amount = min(amount, rule.line_cap_fen)
    return max(amount, 0)


def _beneficiary(role: str, event: Event) -> Party | None:
    if role == "service_team":  # the institution pays its team (沪知局〔2022〕21号 四(三))
        return event.parties.get("supplier")
    return event.parties.get(role)


def candidates(scheme: Scheme, events: list[Event], prefixes: tuple[str, ...]) -> list[Line]:
    """Every item the rules give, before holds and 从高不重复 (events outside the region give nothing)."""
    out: list[Line] = []
    for ev in events:
        if not in_region(scheme, ev, prefixes):
            continue
        for rule in scheme.rules:
            if not _eligible(rule, ev):
                continue
            amount = rule_amount(rule, ev)
            if amount <= 0:
                continue
            seen: set[int] = set()
            for role in rule.beneficiaries:
                party = _beneficiary(role, ev)
                if party is None or party.entity_id in seen:
                    continue
                seen.add(party.entity_id)
                out.append(Line(ev.ref, rule.code, party.entity_id, amount, rule.group))
    return out


def _hold_reason(scheme: Scheme, rule: Rule, line: Line, event: Event, history: History) -> tuple[str, str]:
    if (line.ref, line.rule, line.entity_id) in history.claimed:
        return "already_claimed", ""
    if scheme.no_double_support and (line.ref, line.entity_id) in history.supported_elsewhere:
        return "other_scheme", ""
    if line.ref in history.flagged_refs:
        return "anomaly", ""
    if "filed" in rule.requires and not event.filed:
        return "not_filed", ""
    if "paid" in rule.requires and event.received_fen < event.contract_fen:
        return "unpaid", f"{event.received_fen}/{event.contract_fen}"
    party = next((p for p in event.parties.values() if p.entity_id == line.entity_id), None)
    if party is not None and party.org_type == "enterprise" and not party.confirmed:
        return "self_declared", ""
    return "", ""


def select(scheme: Scheme, events: list[Event], prefixes: tuple[str, ...], history: History) -> Selection:
    """The items this batch pays, those held back with their reason, and those 从高不重复 dropped."""
    rules = {r.code: r for r in scheme.rules}
    order = {r.code: i for i, r in enumerate(scheme.rules)}
    by_ref = {e.ref: e for e in events}
    cands = candidates(scheme, events, prefixes)
    # 从高不重复: one winner per (event, beneficiary, group)
    groups: dict[tuple[str, int, str], list[Line]] = defaultdict(list)
    for c in cands:
        if c.group:
            groups[(c.ref, c.entity_id, c.group)].append(c)
    group_rules: dict[str, set[str]] = defaultdict(set)
    for r in scheme.rules:
        if r.group:
            group_rules[r.group].add(r.code)
    superseded: list[Superseded] = []
    dropped: set[Line] = set()
    claimed_groups: set[tuple[str, int, str]] = set()
    for key, members in groups.items():
        ref, entity, group = key
        if any((ref, code, entity) in history.claimed for code in group_rules[group]):
            claimed_groups.add(key)
            continue
        winner = max(members, key=lambda m: (m.amount_fen, -order[m.rule]))
        for m in members:
            if m is not winner:
                dropped.add(m)
                superseded.append(Superseded(m, winner.rule))
    lines: list[Line] = []
    holds: list[Hold] = []
    for c in cands:
        if c in dropped:
            continue
        if c.group and (c.ref, c.entity_id, c.group) in claimed_groups:
            holds.append(Hold(c, "already_claimed"))
            continue
        reason, detail = _hold_reason(scheme, rules[c.rule], c, by_ref[c.ref], history)
        if reason:
            holds.append(Hold(c, reason, detail))
        else:
            lines.append(c)
    return Selection(tuple(lines), tuple(holds), tuple(superseded))


# ---- caps and the pool -------------------------------------------------------------------------------------


def allocate_pool(claims: dict[int, int], pool_fen: int) -> dict[int, int]:
    """Scale claims down to `pool_fen` pro rata; exact in fen (largest remainder)."""
    total = sum(claims.values())
    if total <= pool_fen:
        return dict(claims)
    paid: dict[int, int] = {}
    remainders: list[tuple[int, int]] = []
    for entity, claim in claims.items():
        q, r = divmod(claim * pool_fen, total)
        paid[entity] = q
        remainders.append((-r, entity))
    left = pool_fen - sum(paid.values())
    for _, entity in sorted(remainders)[:left]:
        paid[entity] += 1
    return paid


def allocate(scheme: Scheme, claims: dict[int, int], history: History | None = None) -> Allocation:
    """Per-unit cap (less what earlier batches paid the unit), then the pool (less what earlier batches used)."""
    h = history or History()
    capped: dict[int, int] = {}
    for e, v in claims.items():
        if scheme.unit_cap_fen is None:
            capped[e] = v
        else:
            capped[e] = min(v, max(scheme.unit_cap_fen - h.paid_by_unit.get(e, 0), 0))
    total_capped = sum(capped.values())
    left = None if scheme.pool_fen is None else max(scheme.pool_fen - h.pool_used_fen, 0)
    scaled = left is not None and total_capped > left
    paid = allocate_pool(capped, left) if left is not None and scaled else capped
    awards = tuple(Award(e, claims[e], capped[e], paid[e]) for e in sorted(claims))
    return Allocation(
        awards=awards,
        total_claimed_fen=sum(claims.values()),
        total_capped_fen=total_capped,
        total_paid_fen=sum(paid.values()),
        scaled=scaled,
        pool_left_fen=left,
    )


def claims_of(lines: tuple[Line, ...] | list[Line]) -> dict[int, int]:
    out: dict[int, int] = defaultdict(int)
    for line in lines:
        out[line.entity_id] += line.amount_fen
    return dict(out)
