"""The 质押 deal of a bank loan (panhuo.financing): opened when the bank approves, filed at the 质押登记, completed and
released from the rights record when the loan is repaid.

The bank (质权人) acts here, not the pledgor's staff: the financing app checks that the actor is a user of the
addressed bank before calling. The pledgor is the deal's `institution` (an enterprise or an institution that holds
the patents in the rights record).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from engine.deals import lifecycle
from panhuo.accounts.models import Organization, User
from panhuo.common.audit import audit_record
from panhuo.deals.models import (
    Deal,
    DealEvent,
    DealKind,
    DealSource,
    DealState,
    Filing,
    FilingKind,
    PartyRole,
)
from panhuo.deals.services.common import refuse
from panhuo.deals.services.deals import deal_create
from panhuo.patents.models import Patent
from panhuo.patents.rights.models import GrantKind, PatentRights, RightsGrant, RightsStatus
from panhuo.patents.rights.services import rights_lock, rights_release


def pledge_conflicts(patent_ids: Sequence[int], *, on: date) -> list[str]:
    """Sentences naming each patent that is pledged already or has a transfer pending (in the rights record)."""
    ids = sorted(set(patent_ids))
    keys = {p.pk: p.key for p in Patent.objects.filter(pk__in=ids).only("app_no", "pub_no", "pub_kind")}
    live = RightsGrant.objects.filter(
        patent_id__in=ids, active=True, kind__in=(GrantKind.PLEDGE, GrantKind.TRANSFER)
    ).filter(Q(term_end__isnull=True) | Q(term_end__gte=on) | Q(kind=GrantKind.TRANSFER))
    out: dict[int, str] = {}
    for g in live.order_by("patent_id", "id"):
        what = "已质押，尚未解押" if g.kind == GrantKind.PLEDGE else "有签约未完成的转让"
        out.setdefault(g.patent_id, f"专利 {keys.get(g.patent_id, g.patent_id)} {what}")
    for pid in PatentRights.objects.filter(patent_id__in=ids, status=RightsStatus.TRANSFERRING).values_list(
        "patent_id", flat=True
    ):
        out.setdefault(pid, f"专利 {keys.get(pid, pid)} 有签约未完成的转让")
    return [out[k] for k in sorted(out)]


def pledge_deal_open(
    *,
    actor: User,
    pledgor: Organization,
    pledgee: Organization,
    patents: Sequence[Patent],
    amount_fen: int,
    term_start: date,
    term_end: date,
    title: str,
    notes: str = "",
    is_demo: bool = False,
) -> Deal:
    """The approved loan as a signed 质押 deal; the rights record shows the patents pledged until release."""
    ids = sorted({p.pk for p in patents})
    with transaction.atomic():
        rights_lock(ids)  # the conflict check below and the grant in deal_create see the same rights
        conflicts = pledge_conflicts(ids, on=term_start)
        if conflicts:
            raise refuse(
                "pledge_conflict", "；".join(conflicts), "a patent is pledged or being transferred", "patents"
            )
        deal = deal_create(
            actor=actor,
            institution=pledgor,
            kind=DealKind.PLEDGE,
            title=title,
            patents=patents,
            counterparties=[(pledgee, PartyRole.PLEDGEE)],
            term_start=term_start,
            term_end=term_end,
            contract_date=term_start,
            contract_amount_fen=amount_fen,
            notes=notes,
            state=DealState.SIGNED,
            source=DealSource.FINANCING,
            is_demo=is_demo,
        )
    return deal


def _move(deal: Deal, actor: User, target: str, comment: str) -> None:
    filings = frozenset(deal.filings.values_list("kind", flat=True))
    check = lifecycle.check_transition(
        lifecycle.DealFacts(
            kind=deal.kind, state=deal.state, needs_second_approval=False, approved=True, filings=filings
        ),
        target,
    )
    if not check.allowed:
        raise refuse(check.code, check.message_zh, check.message_en, "state")
    moved = Deal.objects.filter(pk=deal.pk, state=deal.state).update(state=target, updated_at=timezone.now())
    if moved != 1:
        raise refuse(
            "deal_concurrent", "交易状态已被他人更新，请刷新后重试", "the deal changed; reload and retry"
        )
    DealEvent.objects.create(
        deal=deal, actor=actor, action="advance", from_state=deal.state, to_state=target, comment=comment
    )
    audit_record("deal.advance", actor=actor, obj=deal, detail={"from": deal.state, "to": target})
    deal.state = target


def pledge_deal_register(*, deal: Deal, actor: User, number: str, filed_on: date) -> Filing:
    """The 专利权质押登记: a filing on the deal, its number on the deal, the deal moves to 备案/登记."""
    if deal.kind != DealKind.PLEDGE:
        raise refuse("deal_kind", "不是质押交易", "not a pledge deal", "kind")
    number = number.strip()
    try:
        with transaction.atomic():
            filing = Filing.objects.create(
                deal=deal,
                kind=FilingKind.PLEDGE_REGISTRATION,
                number=number,
                filed_on=filed_on,
                created_by=actor,
            )
            Deal.objects.filter(pk=deal.pk).update(pledge_registration_no=number, updated_at=timezone.now())
            DealEvent.objects.create(
                deal=deal, actor=actor, action="filing", comment=f"{FilingKind.PLEDGE_REGISTRATION} {number}"
            )
            audit_record(
                "deal.filing",
                actor=actor,
                obj=deal,
                detail={"kind": FilingKind.PLEDGE_REGISTRATION, "number": number},
            )
            _move(deal, actor, DealState.FILED, "质押登记")
    except IntegrityError:
        raise refuse(
            "filing_duplicate", "该质押登记号已登记", "this registration number exists", "registration_no"
        )
    return filing


def pledge_deal_release(*, deal: Deal, actor: User, on: date) -> int:
    """Repaid: the deal completes and its pledge stops binding in the rights record; the grants released."""
    with transaction.atomic():
        _move(deal, actor, DealState.COMPLETED, f"还款解押 {on.isoformat()}")
        return rights_release(deal_id=deal.pk, actor=actor)
