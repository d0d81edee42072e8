"""Demo deals over the demo patents (reference data) of DEMO-UNI-1, DEMO-UNI-2 and DEMO-INST-1, labelled demo.

A realistic spread: licences (ordinary / exclusive, filed and not), transfers with registrations and technology-
contract registrations, a pledge, an equity deal, industrialisation, open-licence declarations (one withdrawn,
one accepted), payments split by each institution's rule — plus deliberately suspicious patterns for the
monitoring rules: an A→B→A re-transfer, a ¥1 transfer, a large contract with nothing received.
Idempotent: every deal has a fixed `import_key` ("demo:…"); a second run creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from engine.identifiers.credit_code import credit_check_character
from panhuo.accounts.models import Organization, OrganizationType, User
from panhuo.accounts.services import organization_create
from panhuo.common.errors import ApplicationError
from panhuo.deals.models import (
    Deal,
    DealKind,
    DealSource,
    DealState,
    Filing,
    FilingKind,
    IncomeRule,
    OpenLicenceDeclaration,
    PartyRole,
    PaymentMethod,
)
from panhuo.deals.selectors import add_months
from panhuo.deals.services.deals import InventorShare, _complete_transfer, deal_create
from panhuo.deals.services.income import payment_record
from panhuo.deals.services.open_licence import open_licence_accept, open_licence_declare
from panhuo.patents.activity import activity_set
from panhuo.patents.models import Patent

INSTITUTIONS = ("DEMO-UNI-1", "DEMO-UNI-2", "DEMO-INST-1")
EXTRA_ENTERPRISES = [
    ("DEMO-ENT-2", "渝北精密制造有限公司（演示）", "500112"),
    ("DEMO-ENT-3", "两江新材料科技有限公司（演示）", "500112"),
    ("DEMO-ENT-4", "西部农业生物技术有限公司（演示）", "500107"),
]
EQUITY_COMPANY = ("DEMO-ENT-SPIN", "示范理工智能科技有限公司（演示）", "500106")


@dataclass
class Spec:
    """One demo deal: where it stands, its money (fen) and its filings."""

    key: str
    org: str
    kind: str
    patent: int  # index into the institution's granted patents
    party: str  # enterprise code or bank code
    state: str
    amount: int
    contract: date
    licence_type: str = ""
    term_years: int = 5
    received: list[tuple[date, int]] = field(default_factory=list)
    filings: list[tuple[str, str, date]] = field(default_factory=list)
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _credit_code(serial: int, region: str) -> str:
    first17 = f"91{region}MA{serial:07d}"[:17]
    return first17 + credit_check_character(first17)


def _enterprises() -> list[Organization]:
    for code, name, region in EXTRA_ENTERPRISES + [EQUITY_COMPANY]:
        if not Organization.objects.filter(code=code).exists():
            serial = 7_000_000 + int(code.encode().hex(), 16) % 900_000
            organization_create(
                code=code,
                name=name,
                type=OrganizationType.ENTERPRISE,
                region_code=region,
                credit_code=_credit_code(serial, region),
                is_demo=True,
            )
    return list(Organization.objects.filter(code__in=["DEMO-ENT-1"] + [c for c, _, _ in EXTRA_ENTERPRISES]))


def _granted(org: Organization) -> list[Patent]:
    granted = Q(grant_date__isnull=False) | Q(pub_kind__in=["B", "C", "U", "Y", "S"])
    return list(Patent.objects.filter(granted, inventory_records__organization=org).order_by("id")[:40])


def _specs(today: date) -> list[Spec]:
    y = today.year
    d = date
    L, T, P, E, S = (
        DealKind.LICENCE,
        DealKind.TRANSFER,
        DealKind.PLEDGE,
        DealKind.EQUITY,
        DealKind.SELF_IMPLEMENTATION,
    )
    lic, tr, pl, tech = (
        FilingKind.LICENCE_FILING,
        FilingKind.TRANSFER_REGISTRATION,
        FilingKind.PLEDGE_REGISTRATION,
        FilingKind.TECH_CONTRACT,
    )
    return [
        # DEMO-UNI-1 示范理工大学
        Spec("u1-lic-1", "DEMO-UNI-1", L, 0, "DEMO-ENT-1", DealState.PERFORMING, 300_000_00, d(y - 2, 3, 1), "ordinary",
             received=[(d(y - 2, 4, 10), 100_000_00), (d(y - 1, 4, 10), 100_000_00)],
             filings=[(lic, "2024500000100001", d(y - 2, 4, 20)), (tech, "2024500106000101", d(y - 2, 5, 8))]),
        Spec("u1-lic-excl", "DEMO-UNI-1", L, 1, "DEMO-ENT-2", DealState.FILED, 1_200_000_00, d(y - 1, 6, 15), "exclusive",
             received=[(d(y - 1, 7, 1), 400_000_00)], filings=[(lic, "2025500000100002", d(y - 1, 8, 30))],
             extra={"sublicensable": True, "territory": "中国大陆"}),
        Spec("u1-lic-recent", "DEMO-UNI-1", L, 2, "DEMO-ENT-3", DealState.SIGNED, 80_000_00, today - timedelta(days=50), "ordinary"),
        Spec("u1-lic-overdue", "DEMO-UNI-1", L, 3, "DEMO-ENT-4", DealState.SIGNED, 50_000_00, today - timedelta(days=120), "ordinary",
             extra={"pay_after_use": True}),
        Spec("u1-tr-1", "DEMO-UNI-1", T, 4, "DEMO-ENT-2", DealState.COMPLETED, 450_000_00, d(y - 2, 9, 1),
             received=[(d(y - 2, 10, 1), 450_000_00)],
             filings=[(tr, "ZR2024-0901", d(y - 2, 10, 15)), (tech, "2024500106000233", d(y - 2, 10, 20))]),
        Spec("u1-tr-notech", "DEMO-UNI-1", T, 5, "DEMO-ENT-3", DealState.COMPLETED, 260_000_00, d(y - 1, 2, 10),
             received=[(d(y - 1, 3, 1), 260_000_00)], filings=[(tr, "ZR2025-0210", d(y - 1, 3, 5))]),
        Spec("u1-tech-only", "DEMO-UNI-1", L, 6, "DEMO-ENT-1", DealState.PERFORMING, 150_000_00, d(y - 1, 5, 5), "ordinary",
             received=[(d(y - 1, 6, 1), 150_000_00)], filings=[(tech, "2025500106000456", d(y - 1, 5, 30))]),
        Spec("u1-pledge", "DEMO-UNI-1", P, 7, "DEMO-BANK", DealState.PERFORMING, 5_000_000_00, d(y - 1, 1, 20),
             term_years=3, filings=[(pl, "ZX2025500000012", d(y - 1, 2, 1))],
             extra={"pledge_registration_no": "ZX2025500000012"}),
        Spec("u1-equity", "DEMO-UNI-1", E, 8, "DEMO-ENT-SPIN", DealState.COMPLETED, 0, d(y - 2, 11, 11),
             extra={"valuation_fen": 8_000_000_00, "share_bp": 2000}),
        Spec("u1-impl", "DEMO-UNI-1", S, 9, "", DealState.PERFORMING, 0, d(y - 1, 9, 1),
             extra={"product": "智能电网巡检终端", "annual_output_fen": 12_000_000_00}),
        Spec("u1-large-pending", "DEMO-UNI-1", T, 10, "DEMO-ENT-1", DealState.NEGOTIATION, 2_000_000_00, today,
             title="大额转让（待第二审批人复核）"),
        # suspicious patterns for the monitoring rules
        Spec("u1-aba-out", "DEMO-UNI-1", T, 11, "DEMO-ENT-4", DealState.COMPLETED, 200_000_00, d(y, 1, 5),
             received=[(d(y, 1, 20), 200_000_00)], filings=[(tr, "ZR2026-0105", d(y, 1, 25))], title="转让（A→B）"),
        Spec("u1-aba-back", "DEMO-UNI-1", T, 11, "DEMO-ENT-4", DealState.COMPLETED, 200_000_00, d(y, 3, 1),
             filings=[(tr, "ZR2026-0301", d(y, 3, 10))], title="回转让（B→A，疑似倒买倒卖）",
             extra={"reverse": True}),
        Spec("u1-one-yuan", "DEMO-UNI-1", T, 12, "DEMO-ENT-3", DealState.COMPLETED, 100, d(y - 1, 12, 1),
             received=[(d(y - 1, 12, 2), 100)], filings=[(tr, "ZR2025-1201", d(y - 1, 12, 10))], title="象征性价格转让（¥1）"),
        Spec("u1-no-money", "DEMO-UNI-1", L, 13, "DEMO-ENT-2", DealState.FILED, 800_000_00, d(y - 2, 6, 1), "ordinary",
             filings=[(lic, "2024500000100014", d(y - 2, 7, 1))], title="许可（合同金额大但无到账）"),
        # DEMO-UNI-2 示范农林大学
        Spec("u2-lic-1", "DEMO-UNI-2", L, 0, "DEMO-ENT-4", DealState.PERFORMING, 120_000_00, d(y - 1, 4, 1), "ordinary",
             received=[(d(y - 1, 5, 1), 60_000_00)], filings=[(lic, "2025500000200001", d(y - 1, 5, 20))]),
        Spec("u2-tr-1", "DEMO-UNI-2", T, 1, "DEMO-ENT-4", DealState.COMPLETED, 380_000_00, d(y - 2, 8, 8),
             received=[(d(y - 2, 9, 1), 380_000_00)],
             filings=[(tr, "ZR2024-0808", d(y - 2, 9, 9)), (tech, "2024500107000808", d(y - 2, 9, 12))]),
        Spec("u2-terminated", "DEMO-UNI-2", L, 2, "DEMO-ENT-1", DealState.TERMINATED, 90_000_00, d(y - 1, 10, 1), "ordinary"),
        Spec("u2-intent", "DEMO-UNI-2", L, 3, "DEMO-ENT-1", DealState.INTENT, 60_000_00, today, "ordinary"),
        # DEMO-INST-1 示范先进材料研究院
        Spec("i1-lic-sole", "DEMO-INST-1", L, 0, "DEMO-ENT-3", DealState.PERFORMING, 650_000_00, d(y - 1, 3, 3), "sole",
             received=[(d(y - 1, 4, 1), 325_000_00), (d(y, 4, 1), 325_000_00)],
             filings=[(lic, "2025500000300001", d(y - 1, 4, 30)), (tech, "2025500107000303", d(y - 1, 5, 2))]),
        Spec("i1-tr-1", "DEMO-INST-1", T, 1, "DEMO-ENT-3", DealState.FILED, 520_000_00, d(y, 2, 2),
             received=[(d(y, 3, 1), 200_000_00)], filings=[(tr, "ZR2026-0202", d(y, 2, 20))]),
        Spec("i1-pledge", "DEMO-INST-1", P, 2, "DEMO-BANK", DealState.PERFORMING, 3_000_000_00, d(y - 1, 7, 7),
             term_years=2, filings=[(pl, "ZX2025500000077", d(y - 1, 7, 20))],
             extra={"pledge_registration_no": "ZX2025500000077", "pledgee_consents_open_licence": True}),
    ]  # fmt: skip


# (institution, patent index, method, fixed fee fen, royalty bp, pay after use, zero entry fee)
OPEN_LICENCES = [
    ("DEMO-UNI-1", 20, PaymentMethod.ONE_OFF, 50_000_00, None, False, False),
    ("DEMO-UNI-1", 21, PaymentMethod.ROYALTY, None, 300, True, False),
    ("DEMO-UNI-1", 22, PaymentMethod.ENTRY_PLUS_ROYALTY, None, 250, False, True),
    ("DEMO-UNI-2", 10, PaymentMethod.ONE_OFF, 30_000_00, None, False, False),
    ("DEMO-UNI-2", 11, PaymentMethod.ROYALTY, None, 500, True, False),
    ("DEMO-INST-1", 10, PaymentMethod.ONE_OFF, 100_000_00, None, False, False),
    ("DEMO-INST-1", 2, PaymentMethod.ROYALTY, None, 400, False, False),  # pledged, pledgee consented
]


def _inventor_team(org: Organization, patent: Patent) -> list[InventorShare]:
    names = [n for n in (patent.inventors or []) if isinstance(n, str) and n.strip()][:3] or [
        "发明人甲",
        "发明人乙",
    ]
    demo_inventor = User.objects.filter(username="demo_inventor", organization=org).first()
    shares = [6000, 2500, 1500][: len(names)] if len(names) > 1 else [10000]
    shares[0] += 10000 - sum(shares)
    team = [InventorShare(n.strip()[:100], s) for n, s in zip(names, shares, strict=False)]
    if demo_inventor is not None:
        # 王建国 (demo_inventor) leads the DEMO-UNI-1 teams so his income page has rows
        team[0] = InventorShare(demo_inventor.display_name or "王建国", team[0].share_bp, demo_inventor.pk)
    return team


def _create(
    spec: Spec, org: Organization, patents: list[Patent], orgs: dict[str, Organization], today: date
) -> bool:
    key = f"demo:{spec.key}"
    if Deal.objects.filter(import_key=key).exists() or spec.patent >= len(patents):
        return False
    patent = patents[spec.patent]
    counter_role = {
        DealKind.TRANSFER: PartyRole.ASSIGNEE,
        DealKind.LICENCE: PartyRole.LICENSEE,
        DealKind.PLEDGE: PartyRole.PLEDGEE,
    }.get(DealKind(spec.kind))
    party = orgs.get(spec.party)
    counterparties = [(party, str(counter_role))] if party is not None and counter_role else []
    creator = User.objects.filter(username="demo_institution_admin", organization=org).first()
    extra = dict(spec.extra)
    reverse = extra.pop("reverse", False)
    holder = org
    completes_transfer = spec.kind == DealKind.TRANSFER and spec.state == DealState.COMPLETED
    if reverse and party is not None:
        # B→A: the enterprise, which holds the patent since the first transfer, assigns it back
        holder, counterparties = party, [(org, str(PartyRole.ASSIGNEE))]
    with transaction.atomic():
        deal = deal_create(
            actor=None,
            institution=holder,
            kind=spec.kind,
            title=spec.title or f"{DealKind(spec.kind).label}：{patent.title}"[:300],
            patents=[patent],
            counterparties=counterparties,
            company=party if spec.kind == DealKind.EQUITY else None,
            licence_type=spec.licence_type,
            term_start=spec.contract,
            term_end=add_months(spec.contract, 12 * spec.term_years),
            contract_date=spec.contract if spec.state != DealState.INTENT else None,
            contract_amount_fen=spec.amount,
            inventors=_inventor_team(org, patent),
            state=DealState.FILED if completes_transfer else spec.state,
            source=DealSource.DEMO,
            import_key=key,
            is_demo=True,
            **extra,
        )
        if spec.key == "u1-large-pending":
            Deal.objects.filter(pk=deal.pk).update(needs_second_approval=True, created_by=creator)
        for kind, number, on in spec.filings:
            Filing.objects.create(
                deal=deal,
                kind=kind,
                number=number,
                filed_on=on,
                effective_on=on if kind == FilingKind.TRANSFER_REGISTRATION else None,
            )
        for on, fen in spec.received:
            payment_record(deal_id=deal.pk, actor=None, deal=deal, amount_fen=fen, received_on=min(on, today))
        if completes_transfer:
            _complete_transfer(deal, None)  # after its registration is on file: effective on that date
            Deal.objects.filter(pk=deal.pk).update(state=DealState.COMPLETED)
    return True


def load(out: Any) -> None:
    today = timezone.localdate()
    institutions = {o.code: o for o in Organization.objects.filter(code__in=INSTITUTIONS)}
    if not institutions:
        out.write("  deals: 未找到演示机构，跳过 (run the accounts demo first)")
        return
    enterprises = _enterprises()
    orgs = {o.code: o for o in enterprises}
    orgs.update({o.code: o for o in Organization.objects.filter(code__in=["DEMO-BANK", EQUITY_COMPANY[0]])})
    rules = {"DEMO-UNI-1": (3000, 6990, 10, ["licence", "open_licence"]), "DEMO-INST-1": (4000, 6000, 0, [])}
    for code, (inst, inv, svc, kinds) in rules.items():
        if code in institutions:
            IncomeRule.objects.get_or_create(
                organization=institutions[code],
                defaults={
                    "institution_bp": inst,
                    "inventors_bp": inv,
                    "service_bp": svc,
                    "service_kinds": kinds,
                    "approval_threshold_fen": 1_000_000_00,
                },
            )
    granted = {code: _granted(org) for code, org in institutions.items()}
    created = skipped = 0
    for spec in _specs(today):
        org = institutions.get(spec.org)
        if org is None:
            continue
        try:
            if _create(spec, org, granted[spec.org], orgs, today):
                created += 1
        except ApplicationError as exc:
            skipped += 1
            out.write(f"  deals: 跳过 {spec.key}: {exc.message_zh}")
    declared = _open_licences(institutions, granted, orgs, today, out)
    scheduled = _pay_after_use_schedules()
    out.write(
        f"  演示交易 demo deals: 新建 {created}，跳过 {skipped}；开放许可声明 新建 {declared}；"
        f"先使用后付费付款计划 {scheduled}"
    )


def _pay_after_use_schedules() -> int:
    """Demo 先使用后付费 licences without a schedule get one generated from their term (saved, not confirmed)."""
    from engine.deals.money import format_fen
    from panhuo.deals.services.schedule import schedule_generate, schedule_replace

    n = 0
    deals = Deal.objects.filter(
        is_demo=True, pay_after_use=True, instalments__isnull=True, contract_amount_fen__gt=0
    )
    for deal in deals.order_by("pk"):
        actor = User.objects.filter(
            username__startswith="demo_", role="institution_admin", organization_id=deal.institution_id
        ).first()
        start = deal.term_start or deal.contract_date
        if actor is None or start is None:
            continue
        end = deal.term_end or add_months(start, 36)
        try:
            terms, rows = schedule_generate(
                deal_id=deal.pk, actor=actor, start=start, end=end, free_months=6, period_months=6, mode="split",
                amount_yuan=format_fen(deal.contract_amount_fen),
            )  # fmt: skip
            schedule_replace(
                deal_id=deal.pk, actor=actor, rows=[(r.due_date, format_fen(r.amount_fen), r.note) for r in rows],
                terms=terms,
            )  # fmt: skip
        except ApplicationError:
            continue
        n += 1
    return n


def _open_licences(
    institutions: dict[str, Organization],
    granted: dict[str, list[Patent]],
    orgs: dict[str, Organization],
    today: date,
    out: Any,
) -> int:
    created = 0
    for code, index, method, fee, royalty, after_use, zero_entry in OPEN_LICENCES:
        patents = granted.get(code, [])
        if code not in institutions or index >= len(patents):
            continue
        patent = patents[index]
        if OpenLicenceDeclaration.objects.filter(patent=patent, is_demo=True).exists():
            continue
        try:
            open_licence_declare(
                actor=None,
                holder=institutions[code],
                patent=patent,
                payment_method=method,
                fixed_fee_fen=fee,
                royalty_sales_bp=royalty,
                entry_fee_fen=0 if zero_entry else None,
                term_start=today - timedelta(days=30),
                term_end=today + timedelta(days=3 * 365),
                other_terms="许可期间专利权人负责维持专利有效（演示）",
                pay_after_use=after_use,
                zero_entry_fee=zero_entry,
                evaluation_report=patent.patent_type != "invention",
                is_demo=True,
            )
            created += 1
        except ApplicationError as exc:
            out.write(f"  deals: 开放许可 {patent.key} 未通过核查：{exc.message_zh}")
    active = list(
        OpenLicenceDeclaration.objects.filter(is_demo=True, withdrawn_at__isnull=True).order_by("id")
    )
    if created and len(active) >= 2:
        _accept_and_withdraw(active[0], active[-1], orgs, today)
    return created


def _accept_and_withdraw(
    accepted: OpenLicenceDeclaration,
    withdrawn: OpenLicenceDeclaration,
    orgs: dict[str, Organization],
    today: date,
) -> None:
    enterprise_user = User.objects.filter(username="demo_enterprise").first()
    if enterprise_user is not None:
        open_licence_accept(
            actor=enterprise_user,
            declaration_id=accepted.pk,
            notice="我公司同意按公布的条件实施该专利，并按期支付许可使用费。（演示）",
            is_demo=True,
        )
    OpenLicenceDeclaration.objects.filter(pk=withdrawn.pk).update(
        withdrawn_at=timezone.now(), withdrawal_reason="专利权人转为协商许可（演示）"
    )
    activity_set(patent_id=withdrawn.patent_id, open_licence_active=False)
