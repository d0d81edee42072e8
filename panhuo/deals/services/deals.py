"""Deal records: create, advance through the lifecycle, second approval, terminate, filings, schedule."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from engine.deals import lifecycle
from engine.identifiers.credit_code import CreditCodeError, normalise_credit_code
from panhuo.accounts.models import INSTITUTION_STAFF, Organization, OrganizationType, Role, User
from panhuo.accounts.services import organization_create
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.deals.models import (
    CONTRACT_STATES,
    MAX_FEN,
    Deal,
    DealEvent,
    DealInventor,
    DealKind,
    DealParty,
    DealPatent,
    DealSource,
    DealState,
    Filing,
    FilingKind,
    LicenceType,
    OpenLicenceDeclaration,
    PartyRole,
    PaymentInstalment,
)
from panhuo.deals.services.common import (
    apply_activity,
    approval_threshold_fen,
    deal_for_staff,
    pledges_without_consent,
    refresh_exclusive_until,
    refuse,
    require_institution_staff,
    today,
)
from panhuo.patents.activity import activity_bump
from panhuo.patents.models import Patent
from panhuo.patents.rights.models import GrantKind
from panhuo.patents.rights.services import (
    rights_check,
    rights_grant,
    rights_lock,
    rights_release,
    rights_transfer_complete,
)

# The institution's own role in each kind of deal, and the counterparty role expected.
OWN_ROLE = {
    DealKind.TRANSFER: PartyRole.ASSIGNOR,
    DealKind.LICENCE: PartyRole.LICENSOR,
    DealKind.OPEN_LICENCE: PartyRole.LICENSOR,
    DealKind.PLEDGE: PartyRole.PLEDGOR,
    DealKind.EQUITY: PartyRole.INVESTOR,
    DealKind.SELF_IMPLEMENTATION: PartyRole.IMPLEMENTER,
}
COUNTER_ROLE = {
    DealKind.TRANSFER: PartyRole.ASSIGNEE,
    DealKind.LICENCE: PartyRole.LICENSEE,
    DealKind.OPEN_LICENCE: PartyRole.LICENSEE,
    DealKind.PLEDGE: PartyRole.PLEDGEE,
    DealKind.EQUITY: PartyRole.COMPANY,
    DealKind.SELF_IMPLEMENTATION: PartyRole.IMPLEMENTER,
}


@dataclass(frozen=True)
class InventorShare:
    name: str
    share_bp: int
    user_id: int | None = None


def new_deal_code() -> str:
    return f"JY{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex[:8].upper()}"


def party_organization(
    *, name: str, credit_code: str = "", type: str = OrganizationType.ENTERPRISE, actor: User | None = None
) -> Organization:
    """A deal's counterparty, matched only by a verified identifier; never edits the organization it finds.

    A 统一社会信用代码 (check character validated) held by a verified organization names that organization.
    Anything else stays what the deal says: a placeholder (unverified, no accounts, `PARTY-…`) that carries the
    name and the stated code, so nobody can claim another company's deals by renaming itself to its name.
    """
    name = (name or "").strip()
    if not name:
        raise ApplicationError("party_name", "当事人名称为空", "party name is empty", "party")
    code = ""
    if credit_code.strip():
        try:
            code = normalise_credit_code(credit_code)
        except CreditCodeError as exc:
            raise ApplicationError("credit_code", exc.message_zh, exc.message_en, "credit_code")
        found = Organization.objects.filter(credit_code=code, verified=True).first()
        if found is not None:
            return found
    key = hashlib.sha256((f"{name}|{code}" if code else name).encode("utf-8")).hexdigest()[:12].upper()
    placeholder = Organization.objects.filter(code=f"PARTY-{key}", verified=False).first()
    if placeholder is not None:
        return placeholder
    # The stated code is kept on the placeholder unless another organization already carries it (unique).
    stored = code if code and not Organization.objects.filter(credit_code=code).exists() else ""
    return organization_create(
        code=f"PARTY-{key}", name=name, type=type, credit_code=stored, verified=False, actor=actor
    )


def _validate(
    *,
    kind: str,
    licence_type: str,
    patents: Sequence[Patent],
    contract_amount_fen: int,
    term_start: date | None,
    term_end: date | None,
    share_bp: int | None,
    inventors: Sequence[InventorShare],
) -> None:
    if kind not in DealKind.values:
        raise refuse("deal_kind", f"未知交易类型：{kind}", f"unknown deal kind: {kind}", "kind")
    if kind in (DealKind.LICENCE, DealKind.OPEN_LICENCE):
        if licence_type not in LicenceType.values:
            raise refuse(
                "licence_type", "请选择许可类型（独占/排他/普通）", "choose a licence type", "licence_type"
            )
    elif licence_type:
        raise refuse(
            "licence_type", "只有许可交易有许可类型", "only licences have a licence type", "licence_type"
        )
    if kind == DealKind.OPEN_LICENCE and licence_type != LicenceType.ORDINARY:
        raise refuse(
            "licence_type", "开放许可只能是普通许可", "an open licence is an ordinary licence", "licence_type"
        )
    if not patents:
        raise refuse("deal_patents", "请至少选择一件专利", "choose at least one patent", "patents")
    if contract_amount_fen < 0:
        raise refuse("money_negative", "金额不能为负数", "amount must not be negative", "contract_amount")
    if contract_amount_fen > MAX_FEN:
        raise refuse("money_too_large", "金额过大", "amount too large", "contract_amount")
    if term_start and term_end and term_end < term_start:
        raise refuse("deal_term", "期限止不能早于期限起", "term end before term start", "term_end")
    if share_bp is not None and not 0 <= share_bp <= 10000:
        raise refuse("share_bp", "持股比例须在 0–100% 之间", "share must be 0..100%", "share")
    if inventors and sum(i.share_bp for i in inventors) != 10000:
        raise refuse(
            "inventor_shares", "发明人贡献份额合计须为 100%", "inventor shares must sum to 100%", "inventors"
        )
    if any(i.share_bp <= 0 for i in inventors):
        raise refuse(
            "inventor_shares", "发明人贡献份额须大于 0", "inventor shares must be positive", "inventors"
        )


def grant_kind(kind: str, licence_type: str) -> str | None:
    """The right a signed deal of this kind grants in the rights record (None: it grants none, e.g. 自行实施)."""
    if kind in (DealKind.LICENCE, DealKind.OPEN_LICENCE):
        return {
            LicenceType.EXCLUSIVE: GrantKind.EXCLUSIVE,
            LicenceType.SOLE: GrantKind.SOLE,
        }.get(
            LicenceType(licence_type) if licence_type in LicenceType.values else LicenceType.ORDINARY,
            GrantKind.ORDINARY,
        )
    return {
        DealKind.TRANSFER: GrantKind.TRANSFER,
        DealKind.PLEDGE: GrantKind.PLEDGE,
        DealKind.EQUITY: GrantKind.EQUITY,
    }.get(DealKind(kind))


def _refuse_if_pledged(deal: Deal, patent_ids: list[int]) -> None:
    """A transfer, licence or 作价入股 of a patent in its pledge term needs the pledgee's agreement on record."""
    blocking = pledges_without_consent(patent_ids, kind=deal.kind, on=today())
    if not blocking:
        return
    keys = {
        p.pk: p.key for p in Patent.objects.filter(pk__in=list(blocking)).only("app_no", "pub_no", "pub_kind")
    }
    named = []
    for pid, pledge in sorted(blocking.items()):
        own = (
            f"（{pledge.code}）" if pledge.institution_id == deal.institution_id else ""
        )  # never another's code
        term = f"，质押期至 {pledge.term_end}" if pledge.term_end else ""
        named.append(f"专利 {keys.get(pid, pid)} 已质押{own}{term}")
    raise refuse(
        "pledged_without_consent",
        "；".join(named)
        + "。质押期间转让或许可须经质权人同意（民法典第四百四十四条），请先在质押交易中记录质权人的同意",
        "a patent is pledged: transferring or licensing it needs the pledgee's recorded agreement (Civil Code 444)",
        "patents",
    )


def _grant(deal: Deal, patent_ids: list[int], actor: User | None) -> None:
    """The signed deal's right, recorded in the rights record under its lock (inside the deal's transaction)."""
    kind = grant_kind(deal.kind, deal.licence_type)
    if kind is not None:
        if kind != GrantKind.PLEDGE:
            rights_lock(patent_ids)  # the pledge check and the grant below see the same rights
            _refuse_if_pledged(deal, patent_ids)
        rights_grant(
            organization=deal.institution,
            patent_ids=patent_ids,
            kind=kind,
            actor=actor,
            deal_id=deal.pk,
            deal_code=deal.code,
            term_start=deal.term_start,
            term_end=deal.term_end,
            on=today(),
        )


def deal_create(
    *,
    actor: User | None,
    kind: str,
    title: str,
    patents: Sequence[Patent],
    counterparties: Sequence[tuple[Organization, str]] = (),
    institution: Organization | None = None,
    licence_type: str = "",
    sublicensable: bool = False,
    pay_after_use: bool = False,
    zero_entry_fee: bool = False,
    territory: str = "",
    term_start: date | None = None,
    term_end: date | None = None,
    contract_date: date | None = None,
    contract_amount_fen: int = 0,
    valuation_fen: int | None = None,
    share_bp: int | None = None,
    company: Organization | None = None,
    pledge_registration_no: str = "",
    pledgee_consents_open_licence: bool = False,
    pledgee_consents_transfer_licence: bool = False,
    product: str = "",
    annual_output_fen: int | None = None,
    inventors: Sequence[InventorShare] = (),
    notes: str = "",
    state: str = DealState.INTENT,
    source: str = DealSource.MANUAL,
    import_key: str | None = None,
    open_licence: OpenLicenceDeclaration | None = None,
    is_demo: bool = False,
) -> Deal:
    """Record a deal for the actor's institution (or `institution` when the system records it, e.g. an import)."""
    # An accepted open licence is recorded by the licensee, a pledge loan by the bank (deals.services.pledge).
    if actor is not None and source not in (DealSource.OPEN_LICENCE, DealSource.FINANCING):
        institution = require_institution_staff(actor)
    if institution is None:
        raise refuse("deal_institution", "未指定所属单位", "no institution given", "institution")
    _validate(
        kind=kind,
        licence_type=licence_type,
        patents=patents,
        contract_amount_fen=contract_amount_fen,
        term_start=term_start,
        term_end=term_end,
        share_bp=share_bp,
        inventors=inventors,
    )
    patent_ids = sorted({p.pk for p in patents})
    # Only the holder records a deal on its patents (checked again under the lock when a right is granted).
    rights_check(organization=institution, patent_ids=patent_ids, kind=grant_kind(kind, licence_type) or "")
    threshold = approval_threshold_fen(institution.pk)
    with transaction.atomic():
        deal = Deal.objects.create(
            code=new_deal_code(),
            kind=kind,
            title=title.strip()[:300] or "未命名交易",
            institution=institution,
            state=state,
            licence_type=licence_type,
            sublicensable=sublicensable,
            pay_after_use=pay_after_use,
            zero_entry_fee=zero_entry_fee,
            territory=territory,
            term_start=term_start,
            term_end=term_end,
            contract_date=contract_date,
            contract_amount_fen=contract_amount_fen,
            valuation_fen=valuation_fen,
            share_bp=share_bp,
            company=company,
            pledge_registration_no=pledge_registration_no,
            pledgee_consents_open_licence=pledgee_consents_open_licence,
            pledgee_consents_transfer_licence=pledgee_consents_transfer_licence,
            product=product,
            annual_output_fen=annual_output_fen,
            needs_second_approval=contract_amount_fen > threshold and source == DealSource.MANUAL,
            created_by=actor,
            source=source,
            import_key=import_key,
            open_licence=open_licence,
            notes=notes,
            is_demo=is_demo,
        )
        DealPatent.objects.bulk_create([DealPatent(deal=deal, patent_id=pid) for pid in patent_ids])
        parties: set[tuple[int, str]] = {(institution.pk, str(OWN_ROLE[DealKind(kind)]))}
        if company is not None:
            parties.add((company.pk, str(PartyRole.COMPANY)))
        for org, role in counterparties:
            if role not in PartyRole.values:
                raise refuse("party_role", f"未知当事人角色：{role}", f"unknown party role {role}", "party")
            if org.type == OrganizationType.ENTERPRISE and org.credit_code:
                try:
                    normalise_credit_code(org.credit_code)
                except CreditCodeError as exc:
                    raise ApplicationError("credit_code", exc.message_zh, exc.message_en, "credit_code")
            parties.add((org.pk, role))
        DealParty.objects.bulk_create(
            [DealParty(deal=deal, organization_id=oid, role=role) for oid, role in sorted(parties)]
        )
        DealInventor.objects.bulk_create(
            [DealInventor(deal=deal, name=i.name, share_bp=i.share_bp, user_id=i.user_id) for i in inventors]
        )
        DealEvent.objects.create(deal=deal, actor=actor, action="create", to_state=state)
        if state in CONTRACT_STATES:
            _grant(deal, patent_ids, actor)
            apply_activity(deal, actor)
        if state == DealState.COMPLETED and kind == DealKind.TRANSFER:
            _complete_transfer(deal, actor)
        audit_record(
            "deal.create",
            actor=actor,
            tenant_id=institution.pk,
            obj=deal,
            detail={"kind": kind, "amount_fen": contract_amount_fen, "state": state, "source": source},
        )
    return deal


def deal_approve(*, deal_id: int, actor: User) -> Deal:
    """Second approval: by staff of the SAME institution who did not create the deal; exactly one wins."""
    deal = deal_for_staff(deal_id, actor)
    if not deal.needs_second_approval:
        raise refuse("deal_no_approval_needed", "该交易无需复核", "this deal needs no second approval")
    if deal.created_by_id == actor.pk:
        raise PermissionRefused("创建人不能复核自己录入的交易", "the creator cannot approve their own deal")
    with transaction.atomic():
        # Conditional UPDATE: of two concurrent approvals, only one finds approved_by still empty.
        won = (
            Deal.objects.filter(
                pk=deal.pk,
                institution_id=actor.organization_id,
                approved_by__isnull=True,
                state__in=(DealState.INTENT, DealState.NEGOTIATION),
            )
            .exclude(created_by_id=actor.pk)
            .update(approved_by=actor, approved_at=timezone.now(), updated_at=timezone.now())
        )
        if won != 1:
            raise refuse(
                "deal_already_approved", "该交易已复核或已不在待复核状态", "already approved or not pending"
            )
        DealEvent.objects.create(
            deal=deal, actor=actor, action="approve", from_state=deal.state, to_state=deal.state
        )
        audit_record("deal.approve", actor=actor, obj=deal, detail={"amount_fen": deal.contract_amount_fen})
    deal.refresh_from_db()
    return deal


def deal_advance(*, deal_id: int, actor: User, target: str, comment: str = "") -> Deal:
    """Move a deal one step along 意向 → 谈判 → 签约 → 备案/登记 → 履行 → 完成 (or to 终止)."""
    deal = deal_for_staff(deal_id, actor)
    if target not in DealState.values:
        raise refuse("deal_state", f"未知状态：{target}", f"unknown state {target}", "state")
    filings = frozenset(deal.filings.values_list("kind", flat=True))
    check = lifecycle.check_transition(
        lifecycle.DealFacts(
            kind=deal.kind,
            state=deal.state,
            needs_second_approval=deal.needs_second_approval,
            approved=deal.approved_by_id is not None,
            filings=filings,
        ),
        target,
    )
    if not check.allowed:
        raise refuse(check.code, check.message_zh, check.message_en, "state")
    patent_ids = sorted(deal.deal_patents.values_list("patent_id", flat=True))
    with transaction.atomic():
        changes: dict[str, object] = {"state": target, "updated_at": timezone.now()}
        if target == DealState.SIGNED and deal.contract_date is None:
            changes["contract_date"] = today()
        if target == DealState.TERMINATED:
            changes["terminated_reason"] = comment
        moved = Deal.objects.filter(pk=deal.pk, state=deal.state).update(**changes)
        if moved != 1:
            raise refuse(
                "deal_concurrent", "交易状态已被他人更新，请刷新后重试", "the deal changed; reload and retry"
            )
        from_state = deal.state
        deal.refresh_from_db()
        DealEvent.objects.create(
            deal=deal, actor=actor, action="advance", from_state=from_state, to_state=target, comment=comment
        )
        if target == DealState.SIGNED:
            _grant(deal, patent_ids, actor)
        if target in CONTRACT_STATES:
            apply_activity(deal, actor)
        if target == DealState.COMPLETED and deal.kind == DealKind.TRANSFER:
            _complete_transfer(deal, actor)
        if target == DealState.TERMINATED:
            rights_release(deal_id=deal.pk, actor=actor)
            if deal.is_exclusive:
                for pid in patent_ids:
                    refresh_exclusive_until(pid)
        audit_record("deal.advance", actor=actor, obj=deal, detail={"from": from_state, "to": target})
    return deal


def deal_terminate(*, deal_id: int, actor: User, reason: str) -> Deal:
    if not reason.strip():
        raise refuse("deal_reason", "请填写终止原因", "give a reason", "reason")
    return deal_advance(deal_id=deal_id, actor=actor, target=DealState.TERMINATED, comment=reason.strip())


def _complete_transfer(deal: Deal, actor: User | None) -> None:
    registration = deal.filings.filter(kind=FilingKind.TRANSFER_REGISTRATION).first()
    effective = (registration.effective_on or registration.filed_on) if registration else today()
    buyers = list(
        Organization.objects.filter(deal_parties__deal=deal, deal_parties__role=PartyRole.ASSIGNEE).order_by(
            "deal_parties__id"
        )
    )
    patent_ids = sorted(deal.deal_patents.values_list("patent_id", flat=True))
    rights_transfer_complete(
        deal_id=deal.pk,
        deal_code=deal.code,
        seller=deal.institution,
        patent_ids=patent_ids,
        buyers=buyers,
        effective=effective,
        actor=actor,
    )
    for pid in patent_ids:
        activity_bump(patent_id=pid, transfers=1)


def filing_record(
    *,
    deal_id: int,
    actor: User,
    kind: str,
    number: str,
    filed_on: date,
    effective_on: date | None = None,
) -> Filing:
    """Record a 备案 / 登记 / 技术合同认定登记 for a signed deal."""
    deal = deal_for_staff(deal_id, actor)
    if kind not in FilingKind.values:
        raise refuse("filing_kind", f"未知登记类型：{kind}", f"unknown filing kind {kind}", "kind")
    if deal.state not in CONTRACT_STATES:
        raise refuse("filing_unsigned", "交易签约后才能登记备案", "sign the deal before filing", "kind")
    if kind == FilingKind.TRANSFER_REGISTRATION and effective_on is None:
        effective_on = filed_on  # 专利法 Art. 10: effective on the registration date
    number = number.strip()
    try:
        with transaction.atomic():
            filing = Filing.objects.create(
                deal=deal,
                kind=kind,
                number=number,
                filed_on=filed_on,
                effective_on=effective_on,
                created_by=actor,
            )
            DealEvent.objects.create(deal=deal, actor=actor, action="filing", comment=f"{kind} {number}")
            audit_record("deal.filing", actor=actor, obj=deal, detail={"kind": kind, "number": number})
    except IntegrityError:
        raise refuse("filing_duplicate", "该备案/登记已存在（号码重复或已登记）", "filing exists", "number")
    return filing


def instalment_add(
    *, deal_id: int, actor: User, due_date: date, amount_fen: int, note: str = ""
) -> PaymentInstalment:
    deal = deal_for_staff(deal_id, actor)
    if deal.schedule_confirmed_at is not None:
        raise refuse(
            "schedule_confirmed", "付款计划已确认，不能再修改", "the schedule is confirmed", "amount"
        )
    if amount_fen <= 0:
        raise refuse("money_positive", "应付金额须大于 0", "amount must be positive", "amount")
    with transaction.atomic():
        row = PaymentInstalment.objects.create(deal=deal, due_date=due_date, amount_fen=amount_fen, note=note)
        audit_record(
            "deal.instalment", actor=actor, obj=deal, detail={"amount_fen": amount_fen, "due": due_date}
        )
    return row


def pledge_consent_record(
    *, deal_id: int, actor: User, transfer_licence: bool, open_licence: bool, evidence: str
) -> Deal:
    """The pledgee's written agreement (or its withdrawal) to the pledgor transferring or licensing the pledged
    patents (民法典第四百四十四条) and to an open licence (实施细则第八十六条), recorded with the document it rests on
    by the pledgor's staff or by a user of the pledgee itself; a later transfer or licence is checked against it
    when signed."""
    evidence = evidence.strip()
    if not evidence:
        raise refuse(
            "consent_evidence",
            "请填写质权人同意的依据（如书面同意函编号或日期）",
            "name the document of the pledgee's agreement",
            "evidence",
        )
    if len(evidence) > 200:
        raise refuse("consent_evidence", "依据不超过 200 字", "evidence: at most 200 characters", "evidence")
    with transaction.atomic():
        deal = Deal.objects.select_for_update().filter(pk=deal_id).first()
        if deal is None or not (user_is_staff_of(actor, deal) or user_is_pledgee_of(actor, deal)):
            raise NotFound("交易不存在", "deal not found")  # another tenant's deal is not named
        if deal.kind != DealKind.PLEDGE:
            raise refuse(
                "consent_not_pledge", "只有质押交易可记录质权人同意", "only a pledge has a pledgee", "kind"
            )
        before = {
            "transfer_licence": deal.pledgee_consents_transfer_licence,
            "open_licence": deal.pledgee_consents_open_licence,
        }
        deal.pledgee_consents_transfer_licence = transfer_licence
        deal.pledgee_consents_open_licence = open_licence
        deal.save(
            update_fields=["pledgee_consents_transfer_licence", "pledgee_consents_open_licence", "updated_at"]
        )
        words = {True: "同意", False: "不同意"}
        DealEvent.objects.create(
            deal=deal,
            actor=actor,
            action="consent",
            comment=f"质押期间转让或许可：{words[transfer_licence]}；开放许可：{words[open_licence]}；依据：{evidence}",
        )
        audit_record(
            "deal.pledge_consent",
            actor=actor,
            obj=deal,
            detail={
                "before": before,
                "after": {"transfer_licence": transfer_licence, "open_licence": open_licence},
                "evidence": evidence,
            },
        )
    return deal


def inventors_set(*, deal_id: int, actor: User, inventors: Sequence[InventorShare]) -> list[DealInventor]:
    deal = deal_for_staff(deal_id, actor)
    if (
        not inventors
        or sum(i.share_bp for i in inventors) != 10000
        or any(i.share_bp <= 0 for i in inventors)
    ):
        raise refuse(
            "inventor_shares", "发明人贡献份额合计须为 100%", "inventor shares must sum to 100%", "inventors"
        )
    users = {i.user_id for i in inventors if i.user_id}
    if users and User.objects.filter(pk__in=users, organization_id=deal.institution_id).count() != len(users):
        raise refuse(
            "inventor_user", "发明人账号须属于本单位", "inventor accounts must belong to the institution"
        )
    with transaction.atomic():
        DealInventor.objects.filter(deal=deal).delete()
        rows = DealInventor.objects.bulk_create(
            [DealInventor(deal=deal, name=i.name, share_bp=i.share_bp, user_id=i.user_id) for i in inventors]
        )
        audit_record(
            "deal.inventors",
            actor=actor,
            obj=deal,
            detail={"shares": [[i.name, i.share_bp] for i in inventors]},
        )
    return rows


def user_is_staff_of(user: User, deal: Deal) -> bool:
    return user.role in INSTITUTION_STAFF and user.organization_id == deal.institution_id


def user_is_pledgee_of(user: User, deal: Deal) -> bool:
    """A user of the bank that is the pledge deal's 质权人 (it may record its own agreement to a transfer or licence)."""
    return (
        user.role == Role.BANK_USER
        and user.organization_id is not None
        and DealParty.objects.filter(
            deal=deal, organization_id=user.organization_id, role=PartyRole.PLEDGEE
        ).exists()
    )
