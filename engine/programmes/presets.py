"""Subsidy scheme presets, as data (the same dicts an office stores), with the article each rule comes from.

An office loads one (`panhuo subsidy-scheme load-preset CODE`, or the 奖补方案 page) as version 1 of its own
scheme, then changes it like any scheme (each change is a new version).
"""

from __future__ import annotations

from typing import Any

CQ_SOURCE = "shared/seeds/003_1d693d9969cc8619.txt 二(二) 专利转化绩效奖补 (重庆高新区实施专利转化专项计划工作方案, 2024-04-15)"
SH_SOURCE = "shared/seeds/004_56dd69f0ba24addc.txt 四(三) 强化绩效考核 (沪知局〔2022〕21号 高校知识产权运营中心建设方案, 2022-06-30)"
JL_SOURCE = "shared/seeds/002_56b8ea5ba546a0d1.txt 四(一) 完善配套政策 (吉知产联字〔2021〕1号 吉林省2021—2023年专利转化行动计划实施方案)"

SME = ["medium", "small", "micro"]
HOLDERS = ["university", "institute"]

# 二(二)1 专利转让许可绩效奖补: 区内中小微企业从高校院所获取专利技术并办理转移或许可合同备案; 发明专利转让
# 0.4 万元/件 转让双方各; 许可备案 0.1 万元/件 许可双方各; 许可备案金额超过 500 万元按备案金额的 0.01% 给予被许可方;
# 同一单位 ≤ 10 万元; 总额 ≤ 50 万元, 超过按比例分配. 三、资金使用管理: 从高不重复, 已获其他财政资金支持的不再重复支持.
CQ_TRANSFER_LICENCE: dict[str, Any] = {
    "name": "重庆高新区专利转让许可绩效奖补",
    "unit_cap_fen": 10_000_000,
    "pool_fen": 50_000_000,
    "no_double_support": True,
    "region_role": "enterprise",
    "source": CQ_SOURCE,
    "rules": [
        {
            "code": "invention_transfer",
            "label": "发明专利转让（双方各 0.4 万元/件）",
            "event": "transfer",
            "basis": "per_patent",
            "beneficiaries": ["supplier", "enterprise"],
            "amount_fen": 400_000,
            "patent_types": ["invention"],
            "supplier_types": HOLDERS,
            "enterprise_types": ["enterprise"],
            "enterprise_sizes": SME,
            "requires": ["filed"],
        },
        {
            "code": "licence_filing",
            "label": "专利许可备案（双方各 0.1 万元/件）",
            "event": "licence",
            "basis": "per_patent",
            "beneficiaries": ["supplier", "enterprise"],
            "amount_fen": 100_000,
            "supplier_types": HOLDERS,
            "enterprise_types": ["enterprise"],
            "enterprise_sizes": SME,
            "requires": ["filed"],
        },
        {
            "code": "licence_amount",
            "label": "许可备案金额超 500 万元的 0.01%（被许可方）",
            "event": "licence",
            "basis": "contract_pct",
            "beneficiaries": ["enterprise"],
            "rate_ppm": 100,
            "min_basis_fen": 500_000_000,
            "supplier_types": HOLDERS,
            "enterprise_types": ["enterprise"],
            "enterprise_sizes": SME,
            "requires": ["filed", "paid"],
        },
    ],
}

# 二(二)2 专利质押融资绩效奖补: 办理完成专利质押登记的, 按实际质押融资金额的 0.1%; 同一运营机构、企业 ≤ 20 万元;
# 总额 ≤ 60 万元, 超过按比例分配.
CQ_PLEDGE: dict[str, Any] = {
    "name": "重庆高新区专利质押融资绩效奖补",
    "unit_cap_fen": 20_000_000,
    "pool_fen": 60_000_000,
    "no_double_support": True,
    "region_role": "enterprise",
    "source": CQ_SOURCE,
    "rules": [
        {
            "code": "pledge_amount",
            "label": "质押融资金额的 0.1%（企业、撮合的运营机构）",
            "event": "pledge",
            "basis": "loan_pct",
            "beneficiaries": ["enterprise", "broker"],
            "rate_ppm": 1_000,
            "enterprise_types": ["enterprise"],
            "enterprise_sizes": SME,
            "requires": ["filed"],
        }
    ],
}

# 四(三): 总额不超过 350 万元的专项奖励资金, 对面向中小微企业开展专利许可转让的高校院所, 按许可转让费用实际到账
# 金额的 0.1% 给予服务团队个人奖励 (paid through the institution: Panhuo records no team members as payees).
SH_SERVICE_TEAM: dict[str, Any] = {
    "name": "上海高校专利许可转让服务团队奖励",
    "unit_cap_fen": None,
    "pool_fen": 350_000_000,
    "no_double_support": False,
    "region_role": "supplier",
    "source": SH_SOURCE,
    "rules": [
        {
            "code": f"team_{kind}",
            "label": f"{label}费用实际到账金额的 0.1%（服务团队）",
            "event": kind,
            "basis": "received_pct",
            "beneficiaries": ["service_team"],
            "rate_ppm": 1_000,
            "supplier_types": HOLDERS,
            "enterprise_types": ["enterprise"],
            "enterprise_sizes": SME,
        }
        for kind, label in (("transfer", "转让"), ("licence", "许可"), ("open_licence", "开放许可"))
    ],
}

# 四(一): 通过贴息、保费补助等措施, 促进知识产权质押融资. The text sets no rate or cap: the figures below are
# placeholders the office replaces with its own notice's (the scheme's name says so); 贴息 is a share of the interest
# actually paid, 保费补助 a share of the premium actually paid, each within a per-loan cap. The text names both
# measures side by side, so a loan may earn both (no 从高不重复 group).
JL_PLEDGE_FINANCING: dict[str, Any] = {
    "name": "吉林专利质押融资贴息与保费补助（比例与上限为示例，须按本地通知设定）",
    "unit_cap_fen": 30_000_000,
    "pool_fen": 500_000_000,
    "no_double_support": True,
    "region_role": "enterprise",
    "source": JL_SOURCE,
    "rules": [
        {
            "code": "interest_subsidy",
            "label": "贴息：实际支付利息的 50%，每笔不超过 20 万元",
            "event": "pledge",
            "basis": "interest_pct",
            "beneficiaries": ["enterprise"],
            "rate_ppm": 500_000,
            "line_cap_fen": 20_000_000,
            "enterprise_types": ["enterprise"],
            "enterprise_sizes": SME,
            "requires": ["filed"],
        },
        {
            "code": "premium_subsidy",
            "label": "保费补助：实际支付保费的 50%，每笔不超过 10 万元",
            "event": "pledge",
            "basis": "premium_pct",
            "beneficiaries": ["enterprise"],
            "rate_ppm": 500_000,
            "line_cap_fen": 10_000_000,
            "enterprise_types": ["enterprise"],
            "enterprise_sizes": SME,
            "requires": ["filed"],
        },
    ],
}

PRESETS: dict[str, dict[str, Any]] = {
    "cq-gxq-transfer-licence": CQ_TRANSFER_LICENCE,
    "cq-gxq-pledge": CQ_PLEDGE,
    "sh-service-team": SH_SERVICE_TEAM,
    "jl-pledge-financing": JL_PLEDGE_FINANCING,
}
