"""合成演示大学: one clearly labelled synthetic institution whose records are complete, so every page has data.

The real demo records (from shared seeds) stay as they are; most have no 申请号, 申请日 or inventors. This step adds
one institution, "合成演示大学", with 60 patents generated deterministically (fixed seed): application numbers with
valid check digits, 申请日/公开号/授权公告号, holders, inventors (synthetic names), claims counts, citations,
family, fee status and legal status; 建档 records in every state, published pooled records, deals of each type,
an open licence, needs of a synthetic enterprise and evaluations. Every name carries 合成演示; every row is
`is_demo` (patents also `is_synthetic`). Run by `panhuo demo` (idempotent: skipped when the institution exists).
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from engine.identifiers.application_number import check_character, normalise_application_number
from engine.identifiers.credit_code import credit_check_character
from panhuo.accounts.models import College, Organization, OrganizationType, Role, User
from panhuo.accounts.services import college_create, generate_password, organization_create, user_create
from panhuo.common.errors import ApplicationError
from panhuo.demand.models import EnterpriseProfile, Need
from panhuo.patents.models import (
    InventoryRecord,
    InventoryState,
    LegalStatus,
    Patent,
    PatentType,
    ReviewEvent,
)

SEED = 20261206
ORG_CODE = "SYNTH-UNI"
ORG_NAME = "合成演示大学"
ENTERPRISE_NAME = "合成演示智能制造有限公司"
SOURCE = "合成演示（panhuo demo，固定种子 20261206）"

COLLEGES = [("EE", "合成演示电气学院"), ("ME", "合成演示机械学院"), ("MS", "合成演示材料学院")]
# (title stem, IPC main, college, abstract topic) — realistic technical fields, synthetic records.
TOPICS = [
    ("一种锂离子电池正极材料的制备方法", "H01M4/525", "MS", "锂离子电池正极材料"),
    ("一种基于深度学习的配电网故障定位方法", "G06N3/08", "EE", "配电网故障定位"),
    ("一种多轴数控机床热误差补偿装置", "B23Q15/18", "ME", "数控机床热误差补偿"),
    ("一种高强韧铝合金及其热处理工艺", "C22C21/10", "MS", "高强韧铝合金"),
    ("一种光伏逆变器并网控制方法", "H02J3/38", "EE", "光伏逆变器并网控制"),
    ("一种工业机器人柔性抓取机构", "B25J15/08", "ME", "工业机器人柔性抓取"),
    ("一种钠离子电池负极硬碳材料", "H01M4/587", "MS", "钠离子电池硬碳负极"),
    ("一种变压器局部放电在线监测系统", "G01R31/12", "EE", "变压器局部放电监测"),
    ("一种齿轮箱振动信号故障诊断方法", "G01M13/028", "ME", "齿轮箱故障诊断"),
    ("一种耐高温陶瓷基复合涂层", "C04B41/87", "MS", "耐高温陶瓷涂层"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "海燕", "志强", "晓明", "丽娟", "文博", "思远", "雪梅", "振华", "佳琪"]


def app_number(year: int, kind_digit: int, serial: int) -> str:
    digits = f"{year}{kind_digit}{serial:07d}"
    return normalise_application_number(digits + check_character(digits))


def _credit_code(body: str) -> str:
    return body + credit_check_character(body)


def _people(rng: random.Random, n: int) -> list[str]:
    return [f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}（合成）" for _ in range(n)]


def _patent(rng: random.Random, i: int, today: date) -> tuple[Patent, str]:
    title, ipc, college, topic = TOPICS[i % len(TOPICS)]
    invention = i % 4 != 3
    year = 2014 + i % 10
    applied = date(year, 1 + rng.randrange(12), 1 + rng.randrange(28))
    granted = applied + timedelta(days=rng.randrange(500, 1100) if invention else rng.randrange(150, 300))
    term = 20 if invention else 10
    expiry = applied.replace(year=applied.year + term)
    lapsed = i % 13 == 12
    # Fees are paid year by year from the 申请日's anniversary: the next due dates spread over the coming months.
    paid_until = (
        applied.replace(year=today.year)
        if applied.replace(year=today.year) > today
        else (applied.replace(year=today.year + 1))
    )
    kind_digit = 1 if invention else 2
    serial = 1_000_000 + i * 7919 % 8_999_999
    pub_serial = 100_000_000 + i * 104_729
    patent = Patent(
        app_no=app_number(year, kind_digit, serial),
        pub_no=f"CN{pub_serial}",
        pub_kind="B" if invention else "U",
        grant_no=f"CN{pub_serial}{'B' if invention else 'U'}",
        patent_type=PatentType.INVENTION if invention else PatentType.UTILITY,
        title=f"{title}（合成演示 {i + 1:02d}）",
        abstract=(
            f"本发明（合成演示数据）涉及{topic}领域，提出一种{title[2:]}，"
            "通过结构优化与参数控制提高性能和可靠性，适用于产业化应用。"
        ),
        claims_count=rng.randrange(6, 21),
        independent_claims_count=rng.randrange(1, 4),
        ipc_main=ipc,
        ipc_codes=[ipc],
        ipc_section=ipc[0],
        ipc_class=ipc[:3],
        ipc_subclass=ipc[:4],
        applicants=[ORG_NAME],
        patentees=[ORG_NAME],
        inventors=_people(rng, rng.randrange(2, 6)),
        application_date=applied,
        publication_date=applied + timedelta(days=540) if invention else granted,
        grant_date=granted,
        legal_status=LegalStatus.LAPSED if lapsed else LegalStatus.VALID,
        annual_fee_paid_until=(paid_until - timedelta(days=365)) if lapsed else paid_until,
        expiry_date=expiry,
        family_size=rng.randrange(1, 6),
        overseas_granted=i % 9 == 0,
        citations_forward=rng.randrange(0, 25),
        citations_backward=rng.randrange(3, 20),
        source=SOURCE,
        is_demo=True,
        is_synthetic=True,
    )
    return patent, college


def _state_for(i: int) -> str:
    if i < 40:
        return InventoryState.POOLED
    if i < 48:
        return InventoryState.INSTITUTION_REVIEW
    if i < 54:
        return InventoryState.COLLEGE_REVIEW
    return InventoryState.DRAFT if i < 57 else InventoryState.UNFILED


def _accounts(out: Any) -> tuple[Organization, Organization, User, User]:
    org = organization_create(
        code=ORG_CODE, name=ORG_NAME, type=OrganizationType.UNIVERSITY, region_code="500106", is_demo=True
    )
    for code, name in COLLEGES:
        college_create(organization=org, code=code, name=name)
    enterprise = organization_create(
        code="SYNTH-ENT",
        name=ENTERPRISE_NAME,
        type=OrganizationType.ENTERPRISE,
        region_code="500107",
        credit_code=_credit_code("91500107MA61HC0K8"),
        is_demo=True,
    )
    EnterpriseProfile.objects.create(
        organization=enterprise,
        industry_code="3484",
        industry_name="机械零部件加工",
        size="small",
        qualifications=["specialised"],
        business_scope="工业机器人、数控机床零部件研发制造（合成演示）",
        technical_focus="机器人抓取、机床热误差补偿、电池材料",
        contact_name="合成演示联系人",
        source=EnterpriseProfile.Source.DEMO,
        is_demo=True,
    )
    passwords_file = settings.DATA_DIR / "demo_accounts.json"
    passwords: dict[str, str] = json.loads(passwords_file.read_text()) if passwords_file.exists() else {}
    users = {}
    for username, role, who, college in (
        ("synth_institution_admin", Role.INSTITUTION_ADMIN, org, None),
        ("synth_college_admin", Role.COLLEGE_ADMIN, org, "EE"),
        ("synth_inventor", Role.INVENTOR, org, "EE"),
        ("synth_enterprise", Role.ENTERPRISE_USER, enterprise, None),
    ):
        password = generate_password()
        users[username], _ = user_create(
            username=username,
            role=role,
            organization=who,
            college=College.objects.get(organization=org, code=college) if college else None,
            display_name=f"合成演示{Role(role).label}",
            password=password,
            must_change_password=False,
        )
        passwords[username] = password
        out.write(f"  {username:24s} {Role(role).label:10s} {password}")
    passwords_file.write_text(json.dumps(passwords, ensure_ascii=False, indent=1))
    passwords_file.chmod(0o600)
    return org, enterprise, users["synth_institution_admin"], users["synth_enterprise"]


def _business(
    out: Any, org: Organization, enterprise: Organization, tto: User, ent_user: User, pooled: list[Patent]
) -> int:
    """Deals of each type, an open licence, needs and evaluations, through the apps' services."""
    from panhuo.deals.models import DealKind
    from panhuo.deals.services.deals import deal_create
    from panhuo.deals.services.open_licence import open_licence_accept, open_licence_declare
    from panhuo.demand.services import need_create
    from panhuo.evaluation.services import assessment_enterprise_create, assessment_institution_create

    today = timezone.localdate()
    made = 0
    specs: list[dict[str, Any]] = [
        {"kind": "transfer", "state": "completed", "contract_amount_fen": 48_000_000},
        {"kind": "transfer", "state": "signed", "contract_amount_fen": 12_000_000},
        {
            "kind": "licence",
            "licence_type": "ordinary",
            "state": "performing",
            "contract_amount_fen": 6_000_000,
        },
        {"kind": "licence", "licence_type": "exclusive", "state": "filed", "contract_amount_fen": 20_000_000},
        {
            "kind": "equity",
            "state": "completed",
            "valuation_fen": 150_000_000,
            "share_bp": 1500,
            "company": enterprise,
        },
        {
            "kind": "pledge",
            "state": "performing",
            "contract_amount_fen": 30_000_000,
            "pledge_registration_no": "合成演示质押登记 2026-001",
        },
        {"kind": "transfer", "state": "negotiation", "contract_amount_fen": 8_000_000},
        {
            "kind": "licence",
            "licence_type": "ordinary",
            "state": "completed",
            "contract_amount_fen": 3_000_000,
        },
        {
            "kind": "equity",
            "state": "signed",
            "valuation_fen": 80_000_000,
            "share_bp": 1000,
            "company": enterprise,
        },
        {
            "kind": "pledge",
            "state": "completed",
            "contract_amount_fen": 10_000_000,
            "pledge_registration_no": "合成演示质押登记 2025-014",
        },
        {
            "kind": "self_impl",
            "state": "performing",
            "product": "合成演示储能电池模组",
            "annual_output_fen": 500_000_000,
        },
    ]
    for n, spec in enumerate(specs):
        role = {
            "transfer": "assignee",
            "licence": "licensee",
            "equity": "company",
            "pledge": "pledgee",
            "self_impl": "implementer",
        }[spec["kind"]]
        party = Organization.objects.filter(code="DEMO-BANK").first() if spec["kind"] == "pledge" else None
        try:
            deal_create(
                actor=None,
                institution=org,
                title=f"合成演示{DealKind(spec['kind']).label}交易 {n + 1}：{pooled[n].title[:20]}",
                patents=[pooled[n]],
                counterparties=[(party or enterprise, role)],
                contract_date=today - timedelta(days=30 * (n + 1)),
                term_start=today - timedelta(days=30 * (n + 1)),
                term_end=today + timedelta(days=365 * 3),
                is_demo=True,
                **spec,
            )
            made += 1
        except ApplicationError as exc:  # a rule of the deals app refused this shape: say so, load the rest
            out.write(f"  未生成 {spec['kind']}：{exc.message_zh}")
    try:
        declaration = open_licence_declare(
            actor=None,
            holder=org,
            patent=pooled[20],
            payment_method="one_off",
            fixed_fee_fen=2_000_000,
            term_start=today,
            term_end=today + timedelta(days=365 * 3),
            pay_after_use=True,
            other_terms="合成演示开放许可声明",
            is_demo=True,
        )
        open_licence_accept(
            actor=ent_user,
            declaration_id=declaration.pk,
            notice="合成演示：接受开放许可的书面通知",
            is_demo=True,
        )
        made += 2
    except ApplicationError as exc:
        out.write(f"  未生成开放许可：{exc.message_zh}")
    for title, mode in (
        ("合成演示：机器人柔性抓取技术需求", "licence"),
        ("合成演示：电池正极材料工艺改进", "transfer"),
    ):
        need_create(
            actor=ent_user,
            title=title,
            description=f"{title}。希望与高校合作实现产业化（合成演示数据）。",
            wanted_mode=mode,
            budget_min_fen=10_000_000,
            budget_max_fen=50_000_000,
            is_demo=True,
        )
        made += 1
    for patent in pooled[11:16]:
        assessment_institution_create(
            actor=tto,
            patent=patent,
            trl=6,
            value_grade="B",
            prospect="good",
            recommended_mode="licence",
            price_min_fen=5_000_000,
            price_max_fen=20_000_000,
            comment="合成演示评价",
            is_demo=True,
        )
        assessment_enterprise_create(
            actor=ent_user,
            patent=patent,
            prospect="good",
            improvement_need="some",
            cooperation="strong",
            comment="合成演示企业评价",
            is_demo=True,
        )
        made += 2
    return made


def load(out: Any) -> None:
    if Organization.objects.filter(code=ORG_CODE).exists():
        out.write(f"{ORG_NAME}已存在，跳过 (synthetic institution exists)")
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    with transaction.atomic():
        org, enterprise, tto, ent_user = _accounts(out)
        colleges = {c.code: c for c in org.colleges.all()}
        built = [_patent(rng, i, today) for i in range(60)]
        Patent.objects.bulk_create([p for p, _ in built])
        patents = list(Patent.objects.filter(source=SOURCE).order_by("app_no"))
        by_app = {p.app_no: p for p in patents}
        now = timezone.now()
        records = []
        for i, (template, college) in enumerate(built):
            state = _state_for(i)
            filled = state != InventoryState.UNFILED
            records.append(
                InventoryRecord(
                    organization=org,
                    patent=by_app[template.app_no],
                    college=colleges[college],
                    state=state,
                    first_inventor=template.inventors[0],
                    implementation_status="implemented" if i % 3 == 0 else "not_implemented",
                    conversion_intent=True if filled else None,
                    conversion_modes=["licence", "transfer"] if filled else [],
                    trl=3 + i % 6 if filled else None,
                    value_self_grade="ABCD"[i % 4] if filled else "",
                    application_scenarios=f"{TOPICS[i % len(TOPICS)][3]}的工程应用（合成演示）"
                    if filled
                    else "",
                    industrialisation_prospects="市场需求明确（合成演示）" if filled else "",
                    contact_name="合成演示技术转移中心" if filled else "",
                    fiscal_funded=i % 2 == 0,
                    submitted_at=now - timedelta(days=60 - i) if filled else None,
                    pooled_at=now - timedelta(days=50 - i) if state == InventoryState.POOLED else None,
                    public_since=now - timedelta(days=40) if state == InventoryState.POOLED else None,
                    is_demo=True,
                )
            )
        InventoryRecord.objects.bulk_create(records)
        records = list(InventoryRecord.objects.filter(organization=org))  # with their ids on every backend
        _review_history(records, tto)
    out.write(
        f"{ORG_NAME}：60 件合成专利，其中 {sum(r.state == InventoryState.POOLED for r in records)} 件入库并公开"
    )


def _review_history(records: list[InventoryRecord], reviewer: User) -> None:
    """The review trail a real institution's records carry: submitted, approved by the college, then the school."""
    steps: dict[str, list[tuple[str, str, str]]] = {
        InventoryState.COLLEGE_REVIEW: [("submit", InventoryState.DRAFT, InventoryState.COLLEGE_REVIEW)],
        InventoryState.INSTITUTION_REVIEW: [
            ("submit", InventoryState.DRAFT, InventoryState.COLLEGE_REVIEW),
            ("approve", InventoryState.COLLEGE_REVIEW, InventoryState.INSTITUTION_REVIEW),
        ],
        InventoryState.POOLED: [
            ("submit", InventoryState.DRAFT, InventoryState.COLLEGE_REVIEW),
            ("approve", InventoryState.COLLEGE_REVIEW, InventoryState.INSTITUTION_REVIEW),
            ("approve", InventoryState.INSTITUTION_REVIEW, InventoryState.POOLED),
        ],
    }
    ReviewEvent.objects.bulk_create(
        ReviewEvent(
            record=r,
            action=action,
            from_state=src,
            to_state=dst,
            actor=reviewer if action == "approve" else None,
            comment="合成演示审核意见：材料齐全" if action == "approve" else "",
        )
        for r in records
        for action, src, dst in steps.get(r.state, [])
    )


def load_business(out: Any) -> None:
    """Second step, after the demand demo (which loads its needs only while no demo need exists)."""
    org = Organization.objects.filter(code=ORG_CODE).first()
    enterprise = Organization.objects.filter(code="SYNTH-ENT").first()
    if org is None or enterprise is None:
        return
    if Need.objects.filter(enterprise=enterprise).exists():
        out.write(f"{ORG_NAME}的交易、需求和评价已存在，跳过")
        return
    tto = User.objects.get(username="synth_institution_admin")
    ent_user = User.objects.get(username="synth_enterprise")
    pooled = [
        r.patent
        for r in InventoryRecord.objects.filter(organization=org, state=InventoryState.POOLED)
        .select_related("patent")
        .order_by("patent__app_no")
    ]
    with transaction.atomic():
        made = _business(out, org, enterprise, tto, ent_user, pooled)
    # Demo enterprises count as confirmed by the office (size/region), so subsidy pages have beneficiaries.
    EnterpriseProfile.objects.filter(is_demo=True, office_confirmed=False).exclude(size="").update(
        office_confirmed=True, size_confirmed_at=timezone.now()
    )
    out.write(f"{ORG_NAME}：{made} 条交易、开放许可、需求和评价")
