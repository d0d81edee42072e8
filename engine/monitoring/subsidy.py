"""奖补 engine: per-item amounts, rates on amounts, per-entity caps, a pool cap with pro-rata scaling. Integer fen.

Rates are parts per million (0.01% = 100 ppm, 0.1% = 1,000 ppm) so every step stays an integer:
line = per_item_fen + floor(amount_fen * rate_ppm / 1e6), only when amount_fen > min_amount_fen.
When the capped claims exceed the pool, each entity gets floor(claim * pool / total) and the fen left
over go one by one to the largest remainders (ties: smaller entity id), so the payouts sum to the pool exactly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

PPM = 1_000_000


@dataclass(frozen=True)
class SubsidyRule:
    code: str
    label: str
    event_kind: str  # transfer | licence | pledge | …
    beneficiaries: tuple[str, ...]  # roles on the event: "seller", "buyer"
    per_item_fen: int = 0
    rate_ppm: int = 0
    min_amount_fen: int = 0  # rate/item applies only when amount_fen > this ("超过")
    patent_types: tuple[str, ...] = ()  # empty: any type
    rate_only_above_min: bool = True  # when True the per-item part is paid regardless of min_amount_fen


@dataclass(frozen=True)
class SubsidyScheme:
    code: str
    name: str
    rules: tuple[SubsidyRule, ...]
    entity_cap_fen: int | None
    pool_cap_fen: int | None
    source: str = ""


@dataclass(frozen=True)
class SubsidyEvent:
    ref: str  # the deal / filing reference
    kind: str
    patent_type: str
    amount_fen: int
    parties: dict[str, int]  # role -> entity id


@dataclass(frozen=True)
class SubsidyLine:
    ref: str
    rule: str
    entity_id: int
    amount_fen: int


@dataclass(frozen=True)
class EntityAward:
    entity_id: int
    claimed_fen: int  # sum of lines
    capped_fen: int  # after the per-entity cap
    paid_fen: int  # after pool scaling


@dataclass(frozen=True)
class SubsidyResult:
    lines: tuple[SubsidyLine, ...]
    awards: tuple[EntityAward, ...]
    total_claimed_fen: int
    total_capped_fen: int
    total_paid_fen: int
    scaled: bool
    scale: tuple[int, int] = field(default=(1, 1))  # pool / total when scaled


def lines_for(scheme: SubsidyScheme, events: list[SubsidyEvent]) -> list[SubsidyLine]:
    out: list[SubsidyLine] = []
    for ev in events:
        if ev.amount_fen < 0:
            raise ValueError(f"negative amount on {ev.ref}")
        for rule in scheme.rules:
            if rule.event_kind != ev.kind:
                continue
            if rule.patent_types and ev.patent_type not in rule.patent_types:
                continue
            above = ev.amount_fen > rule.min_amount_fen
            amount = 0
            if rule.per_item_fen and (rule.rate_only_above_min or above):
                amount += rule.per_item_fen
            if rule.rate_ppm and above:
                amount += ev.amount_fen * rule.rate_ppm // PPM
            if amount <= 0:
                continue
            for role in rule.beneficiaries:
                entity = ev.parties.get(role)
                if entity is not None:
                    out.append(SubsidyLine(ev.ref, rule.code, entity, amount))
    return out


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


def compute(scheme: SubsidyScheme, events: list[SubsidyEvent]) -> SubsidyResult:
    lines = lines_for(scheme, events)
    claimed: dict[int, int] = defaultdict(int)
    for line in lines:
        claimed[line.entity_id] += line.amount_fen
    capped = {
        e: (min(v, scheme.entity_cap_fen) if scheme.entity_cap_fen is not None else v)
        for e, v in claimed.items()
    }
    total_capped = sum(capped.values())
    scaled = scheme.pool_cap_fen is not None and total_capped > scheme.pool_cap_fen
    paid = (
        allocate_pool(capped, scheme.pool_cap_fen) if scaled and scheme.pool_cap_fen is not None else capped
    )
    awards = tuple(EntityAward(e, claimed[e], capped[e], paid[e]) for e in sorted(claimed))
    return SubsidyResult(
        lines=tuple(lines),
        awards=awards,
        total_claimed_fen=sum(claimed.values()),
        total_capped_fen=total_capped,
        total_paid_fen=sum(paid.values()),
        scaled=scaled,
        scale=(scheme.pool_cap_fen, total_capped) if scaled and scheme.pool_cap_fen is not None else (1, 1),
    )


CQ_SOURCE = "shared/seeds/003_1d693d9969cc8619.txt 二(二) 专利转化绩效奖补 (重庆高新区实施专利转化专项计划工作方案, 2024-04-15)"

# 1. 专利转让许可绩效奖补: 发明专利转让 0.4 万元/件 to each side; 许可备案 0.1 万元/件 to each side;
#    许可备案金额超过 500 万元: 0.01% of the filed amount to the licensee; 同一单位 ≤ 10 万元; 总额 ≤ 50 万元, 按比例.
CQ_TRANSFER_LICENCE = SubsidyScheme(
    code="cq-gxq-transfer-licence",
    name="重庆高新区专利转让许可绩效奖补",
    rules=(
        SubsidyRule(
            "invention_transfer",
            "发明专利转让(双方各)",
            "transfer",
            ("seller", "buyer"),
            400_000,
            patent_types=("invention",),
        ),
        SubsidyRule("licence_filing", "专利许可备案(双方各)", "licence", ("seller", "buyer"), 100_000),
        SubsidyRule(
            "licence_amount",
            "许可备案金额超500万元的0.01%(被许可方)",
            "licence",
            ("buyer",),
            rate_ppm=100,
            min_amount_fen=500_000_000,
        ),
    ),
    entity_cap_fen=10_000_000,
    pool_cap_fen=50_000_000,
    source=CQ_SOURCE,
)

# 2. 专利质押融资绩效奖补: 实际质押融资金额的 0.1%; 同一运营机构、企业 ≤ 20 万元; 总额 ≤ 60 万元, 按比例.
CQ_PLEDGE = SubsidyScheme(
    code="cq-gxq-pledge",
    name="重庆高新区专利质押融资绩效奖补",
    rules=(SubsidyRule("pledge_amount", "质押融资金额的0.1%", "pledge", ("buyer",), rate_ppm=1_000),),
    entity_cap_fen=20_000_000,
    pool_cap_fen=60_000_000,
    source=CQ_SOURCE,
)

PRESETS: dict[str, SubsidyScheme] = {s.code: s for s in (CQ_TRANSFER_LICENCE, CQ_PLEDGE)}
