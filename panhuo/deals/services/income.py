"""Payments received and their exact split between institution, inventor team and service team."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from engine.deals.split import split_fen
from panhuo.accounts.models import Organization, Role, User
from panhuo.common.audit import audit_record
from panhuo.deals.models import (
    CONTRACT_STATES,
    MAX_FEN,
    Deal,
    DealEvent,
    DealKind,
    IncomeAllocation,
    IncomeRule,
    Payment,
    Recipient,
)
from panhuo.deals.services.common import DEFAULT_INCOME_BP, deal_for_staff, refuse, require_institution_staff

UNASSIGNED_TEAM = "发明人团队（未分配）"


def income_rule_set(
    *,
    actor: User,
    institution_bp: int,
    inventors_bp: int,
    service_bp: int = 0,
    service_kinds: list[str] | None = None,
    approval_threshold_fen: int | None = None,
) -> IncomeRule:
    """The institution's rule (basis points of each payment; must sum to 10000)."""
    org = require_institution_staff(actor)
    if actor.role != Role.INSTITUTION_ADMIN:
        raise refuse("forbidden", "只有学校管理员可以设置收益分配规则", "institution admin only")
    parts = (institution_bp, inventors_bp, service_bp)
    if any(p < 0 for p in parts) or sum(parts) != 10000:
        raise refuse(
            "income_rule_sum", "单位、发明人团队、服务团队份额合计须为 100%", "shares must sum to 100%"
        )
    kinds = [k for k in (service_kinds or []) if k in DealKind.values]
    if approval_threshold_fen is not None and approval_threshold_fen < 0:
        raise refuse("money_negative", "复核额度不能为负数", "threshold must not be negative", "threshold")
    with transaction.atomic():
        rule, _ = IncomeRule.objects.update_or_create(
            organization=org,
            defaults={
                "institution_bp": institution_bp,
                "inventors_bp": inventors_bp,
                "service_bp": service_bp,
                "service_kinds": kinds,
                "approval_threshold_fen": approval_threshold_fen,
            },
        )
        audit_record(
            "deal.income_rule",
            actor=actor,
            obj=rule,
            detail={"bp": list(parts), "service_kinds": kinds, "threshold_fen": approval_threshold_fen},
        )
    return rule


def rule_for(org: Organization) -> tuple[int, int, int, list[str]]:
    rule = IncomeRule.objects.filter(organization=org).first()
    if rule is None:
        inst, inv, svc = DEFAULT_INCOME_BP
        return inst, inv, svc, []
    return rule.institution_bp, rule.inventors_bp, rule.service_bp, list(rule.service_kinds)


def allocation_plan(deal: Deal, amount_fen: int) -> list[tuple[str, int | None, str, int]]:
    """(recipient, user_id, name, fen) parts of one payment; they sum exactly to `amount_fen`."""
    inst_bp, inv_bp, svc_bp, service_kinds = rule_for(deal.institution)
    if deal.kind not in service_kinds:
        inst_bp, svc_bp = inst_bp + svc_bp, 0
    inventors = list(deal.inventors.all())
    recipients: list[tuple[str, int | None, str]] = [(Recipient.INSTITUTION, None, deal.institution.name)]
    weights = [inst_bp * 10000]
    if inventors:
        for inv in inventors:
            recipients.append((Recipient.INVENTOR, inv.user_id, inv.name))
            weights.append(inv_bp * inv.share_bp)
    else:
        recipients.append((Recipient.INVENTOR, None, UNASSIGNED_TEAM))
        weights.append(inv_bp * 10000)
    if svc_bp:
        recipients.append((Recipient.SERVICE, None, "服务团队"))
        weights.append(svc_bp * 10000)
    parts = split_fen(amount_fen, weights)
    return [(r, uid, name, fen) for (r, uid, name), fen in zip(recipients, parts, strict=True)]


def payment_record(
    *,
    deal_id: int,
    actor: User | None,
    amount_fen: int,
    received_on: date,
    reference: str = "",
    deal: Deal | None = None,
) -> Payment:
    """Record money received (实际到账) and split it. `deal` may be passed by trusted callers (import, demo)."""
    if deal is None:
        if actor is None:
            raise refuse("forbidden", "无权执行此操作", "not allowed")
        deal = deal_for_staff(deal_id, actor)
    if not 0 < amount_fen <= MAX_FEN:
        raise refuse(
            "money_positive",
            "到账金额须大于 0 且不超过上限",
            "amount must be positive and not too large",
            "amount",
        )
    if deal.state not in CONTRACT_STATES:
        raise refuse(
            "payment_unsigned", "交易签约后才能登记到账", "sign the deal before recording payments", "amount"
        )
    if received_on > timezone.localdate():
        raise refuse(
            "payment_future", "到账日期不能晚于今天", "received date is in the future", "received_on"
        )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                deal=deal,
                amount_fen=amount_fen,
                received_on=received_on,
                reference=reference.strip(),
                created_by=actor,
            )
            Deal.objects.filter(pk=deal.pk).update(received_fen=F("received_fen") + amount_fen)
            IncomeAllocation.objects.bulk_create(
                [
                    IncomeAllocation(payment=payment, recipient=r, user_id=uid, name=name, amount_fen=fen)
                    for r, uid, name, fen in allocation_plan(deal, amount_fen)
                ]
            )
            DealEvent.objects.create(deal=deal, actor=actor, action="payment", comment=f"{amount_fen} fen")
            audit_record(
                "deal.payment",
                actor=actor,
                tenant_id=deal.institution_id,
                obj=deal,
                detail={"amount_fen": amount_fen, "on": received_on.isoformat(), "reference": reference},
            )
    except IntegrityError:
        raise refuse("payment_duplicate", "凭证号已登记", "payment reference already recorded", "reference")
    deal.refresh_from_db(fields=["received_fen"])
    return payment
