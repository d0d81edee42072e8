"""专利开放许可: declare (refusing Art. 86 bars and fees above the caps), withdraw, accept by written notice."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from engine.deals.open_licence import DeclarationFacts, declaration_refusals
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.deals.models import (
    Deal,
    DealKind,
    DealSource,
    DealState,
    LicenceType,
    OpenLicenceDeclaration,
    PartyRole,
    PaymentMethod,
)
from panhuo.deals.services.common import (
    exclusive_in_term,
    fee_caps,
    pledges_without_consent,
    refuse,
    require_institution_staff,
    today,
)
from panhuo.deals.services.deals import deal_create
from panhuo.patents.activity import activity_of, activity_set
from panhuo.patents.models import InventoryRecord, Patent
from panhuo.patents.rights.models import GrantKind
from panhuo.patents.rights.services import rights_check, rights_grant, rights_release


def open_licence_declare(
    *,
    actor: User | None,
    patent: Patent,
    payment_method: str,
    term_start: date,
    term_end: date,
    fixed_fee_fen: int | None = None,
    entry_fee_fen: int | None = None,
    royalty_sales_bp: int | None = None,
    royalty_profit_bp: int | None = None,
    other_terms: str = "",
    pay_after_use: bool = False,
    zero_entry_fee: bool = False,
    evaluation_report: bool = False,
    is_demo: bool = False,
    holder: Organization | None = None,
) -> OpenLicenceDeclaration:
    """Publish a declaration for a patent the actor's institution holds, after checking every Art. 86 bar.

    `actor=None` with `holder` is the system path (demo loader); people always act for their own institution.
    """
    if actor is not None:
        holder = require_institution_staff(actor)
    if holder is None:
        raise PermissionRefused()
    if not InventoryRecord.objects.filter(organization=holder, patent=patent).exists():
        raise NotFound("本单位没有该专利", "patent not held by this institution")
    rights_check(organization=holder, patent_ids=[patent.pk], kind=GrantKind.OPEN_LICENCE)
    if zero_entry_fee:
        entry_fee_fen = 0 if payment_method == PaymentMethod.ENTRY_PLUS_ROYALTY else entry_fee_fen
    on = today()
    activity = activity_of(patent.pk)
    facts = DeclarationFacts(
        patent_type=patent.patent_type,
        granted=patent.is_granted,
        annual_fee_paid_until=patent.annual_fee_paid_until,
        today=on,
        exclusive_licence_in_term=exclusive_in_term([patent.pk], on=on) is not None,
        pledged_without_consent=bool(pledges_without_consent([patent.pk], kind=DealKind.OPEN_LICENCE, on=on)),
        ownership_dispute=activity.ownership_dispute,
        evaluation_report=evaluation_report,
        payment_method=payment_method,
        fixed_fee_fen=fixed_fee_fen,
        entry_fee_fen=entry_fee_fen,
        royalty_sales_bp=royalty_sales_bp,
        royalty_profit_bp=royalty_profit_bp,
        term_start=term_start,
        term_end=term_end,
    )
    refusals = declaration_refusals(facts, fee_caps())
    if refusals:
        first = refusals[0]
        raise ApplicationError(
            first.code,
            "；".join(r.message_zh for r in refusals),
            "; ".join(r.message_en for r in refusals),
            first.field,
            extra={"codes": [r.code for r in refusals]},
        )
    try:
        with transaction.atomic():
            declaration = OpenLicenceDeclaration.objects.create(
                patent=patent,
                holder=holder,
                payment_method=payment_method,
                fixed_fee_fen=fixed_fee_fen,
                entry_fee_fen=entry_fee_fen,
                royalty_sales_bp=royalty_sales_bp,
                royalty_profit_bp=royalty_profit_bp,
                term_start=term_start,
                term_end=term_end,
                other_terms=other_terms,
                pay_after_use=pay_after_use,
                zero_entry_fee=zero_entry_fee,
                evaluation_report=evaluation_report,
                declared_by=actor,
                published_at=timezone.now(),
                is_demo=is_demo,
            )
            rights_grant(
                organization=holder,
                patent_ids=[patent.pk],
                kind=GrantKind.OPEN_LICENCE,
                actor=actor,
                declaration_id=declaration.pk,
                term_start=term_start,
                term_end=term_end,
                on=on,
            )
            activity_set(patent_id=patent.pk, open_licence_active=True)
            audit_record(
                "open_licence.declare",
                actor=actor,
                obj=declaration,
                detail={"patent": patent.key, "method": payment_method, "fixed_fee_fen": fixed_fee_fen},
            )
    except IntegrityError:
        raise refuse(
            "ol_exists", "该专利已有有效的开放许可声明", "an open licence is already declared", "patent"
        )
    return declaration


def open_licence_withdraw(*, actor: User, declaration_id: int, reason: str) -> OpenLicenceDeclaration:
    """Withdraw in writing; the withdrawal is published and licences already granted stand."""
    holder = require_institution_staff(actor)
    declaration = OpenLicenceDeclaration.objects.filter(pk=declaration_id, holder=holder).first()
    if declaration is None:
        raise NotFound("开放许可声明不存在", "declaration not found")
    if not reason.strip():
        raise refuse("ol_reason", "请填写撤回原因", "give a reason", "reason")
    with transaction.atomic():
        withdrawn = OpenLicenceDeclaration.objects.filter(
            pk=declaration.pk, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now(), withdrawal_reason=reason.strip(), updated_at=timezone.now())
        if withdrawn != 1:
            raise refuse("ol_withdrawn", "该声明已撤回", "already withdrawn")
        rights_release(declaration_id=declaration.pk, actor=actor)
        activity_set(patent_id=declaration.patent_id, open_licence_active=False)
        audit_record("open_licence.withdraw", actor=actor, obj=declaration, detail={"reason": reason.strip()})
    declaration.refresh_from_db()
    return declaration


def open_licence_accept(*, actor: User, declaration_id: int, notice: str, is_demo: bool = False) -> Deal:
    """An enterprise's written notice: it now holds an ordinary licence on the published terms (Art. 51)."""
    if actor.role != Role.ENTERPRISE_USER or actor.organization is None:
        raise PermissionRefused("只有企业用户可以接受开放许可", "enterprise users only")
    enterprise = actor.organization
    if enterprise.type != OrganizationType.ENTERPRISE:
        raise PermissionRefused("只有企业可以接受开放许可", "enterprises only")
    declaration = (
        OpenLicenceDeclaration.objects.select_related("patent", "holder").filter(pk=declaration_id).first()
    )
    if declaration is None:
        raise NotFound("开放许可声明不存在", "declaration not found")
    if declaration.withdrawn_at is not None:
        raise refuse("ol_withdrawn", "该开放许可声明已撤回，不能再接受", "the declaration was withdrawn")
    if declaration.term_end < today():
        raise refuse("ol_expired", "该开放许可已过期", "the open licence term is over")
    if not notice.strip():
        raise refuse("ol_notice", "请填写书面通知内容", "write the notice", "notice")
    if Deal.objects.filter(
        open_licence=declaration,
        parties__organization=enterprise,
        parties__role=PartyRole.LICENSEE,
        state__in=(DealState.SIGNED, DealState.FILED, DealState.PERFORMING),
    ).exists():
        raise refuse("ol_already_accepted", "贵单位已接受该开放许可", "already accepted")
    amount = (declaration.fixed_fee_fen or 0) + (declaration.entry_fee_fen or 0)
    with transaction.atomic():
        deal = deal_create(
            actor=actor,
            institution=declaration.holder,
            kind=DealKind.OPEN_LICENCE,
            title=f"开放许可：{declaration.patent.title}"[:300],
            patents=[declaration.patent],
            counterparties=[(enterprise, PartyRole.LICENSEE)],
            licence_type=LicenceType.ORDINARY,
            pay_after_use=declaration.pay_after_use,
            zero_entry_fee=declaration.zero_entry_fee,
            term_start=max(today(), declaration.term_start),
            term_end=declaration.term_end,
            contract_date=today(),
            contract_amount_fen=amount,
            notes=notice.strip(),
            state=DealState.SIGNED,
            source=DealSource.OPEN_LICENCE,
            open_licence=declaration,
            is_demo=is_demo,
        )
        audit_record(
            "open_licence.accept",
            actor=actor,
            obj=declaration,
            detail={"deal": deal.code, "enterprise": enterprise.pk},
        )
    return deal
