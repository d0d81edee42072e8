"""The one service that changes the rights record: lock, check, grant, release, transfer, add holders.

Every change runs inside the caller's transaction (the deal's), after `rights_lock` has locked the patents'
`PatentRights` rows in ascending patent id order, so two deals on overlapping patents queue instead of
deadlocking, and the check that decides a grant sees every grant committed before it. The partial unique
indexes on `RightsGrant` refuse a second exclusive licence / pending transfer / open licence even if a code
path forgot to lock.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Q
from django.utils import timezone

from panhuo.accounts.models import Organization, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.patents.models import InventoryRecord, InventoryState, Patent
from panhuo.patents.rights.models import (
    EXCLUSIVE_GRANTS,
    ConflictStatus,
    GrantKind,
    HolderSource,
    PatentHolder,
    PatentRights,
    RightsConflict,
    RightsEvent,
    RightsGrant,
    RightsStatus,
)

# Grants that only a sole holder may give: a co-owner needs every co-owner for these (专利法 Art. 14).
WHOLE_PATENT_GRANTS = (
    GrantKind.TRANSFER,
    GrantKind.EXCLUSIVE,
    GrantKind.SOLE,
    GrantKind.PLEDGE,
    GrantKind.EQUITY,
    GrantKind.OPEN_LICENCE,
)
LICENCES = (GrantKind.EXCLUSIVE, GrantKind.SOLE, GrantKind.ORDINARY)


def _refuse(code: str, zh: str, en: str, field: str | None = "patents", **extra: Any) -> ApplicationError:
    return ApplicationError(code, zh, en, field, extra=dict(extra))


def name_key(name: str) -> str:
    """A 专利权人 name as compared: NFKC (full-width brackets and letters), no spaces, case-folded."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def names_match(org_name: str, names: Iterable[Any]) -> bool:
    key = name_key(org_name)
    return bool(key) and any(name_key(str(n)) == key for n in names)


# ---------------------------------------------------------------- reads used by the writes


def holders_of(patent_ids: Iterable[int]) -> dict[int, list[PatentHolder]]:
    """patent id -> its active holdings (organization selected), oldest first."""
    out: dict[int, list[PatentHolder]] = defaultdict(list)
    for h in (
        PatentHolder.objects.filter(patent_id__in=list(patent_ids), active=True)
        .select_related("organization")
        .order_by("id")
    ):
        out[h.patent_id].append(h)
    return out


def holder_ids(patent_ids: Iterable[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for pid, oid in PatentHolder.objects.filter(patent_id__in=list(patent_ids), active=True).values_list(
        "patent_id", "organization_id"
    ):
        out[pid].add(oid)
    return out


def holders_backfill(
    patent_ids: Iterable[int] | None = None, *, source: str = HolderSource.INVENTORY, models: Any = None
) -> int:
    """Give patents that have inventory records but no holder yet their holders; the number of holdings added.

    The institutions whose name is among the patent's 专利权人 (else 申请人) become holders; where none matches,
    every institution with an inventory record on it does (the state before the rights record existed).
    `models` lets the data migration pass its historical models (patent, inventory, holder, organization).
    """
    patent_m, inventory_m, holder_m, org_m = models or (Patent, InventoryRecord, PatentHolder, Organization)
    records = inventory_m.objects.order_by("patent_id", "id")
    if patent_ids is not None:
        records = records.filter(patent_id__in=list(patent_ids))
    held = holder_m.objects.values_list("patent_id", flat=True)
    records = records.exclude(
        patent_id__in=held if patent_ids is None else held.filter(patent_id__in=list(patent_ids))
    )
    by_patent: dict[int, list[int]] = defaultdict(list)
    for pid, oid in records.values_list("patent_id", "organization_id").iterator(chunk_size=5000):
        if oid not in by_patent[pid]:
            by_patent[pid].append(oid)
    if not by_patent:
        return 0
    names = dict(
        org_m.objects.filter(pk__in={o for os in by_patent.values() for o in os}).values_list("id", "name")
    )
    added = 0
    ids = sorted(by_patent)
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        people = {
            pk: (list(pat or []) or list(app or []))
            for pk, pat, app in patent_m.objects.filter(pk__in=chunk).values_list(
                "id", "patentees", "applicants"
            )
        }
        rows = []
        for pid in chunk:
            orgs = by_patent[pid]
            matched = [o for o in orgs if names_match(names.get(o, ""), people.get(pid, []))]
            for oid in matched or orgs:
                rows.append(
                    holder_m(patent_id=pid, organization_id=oid, name=names.get(oid, ""), source=source)
                )
        holder_m.objects.bulk_create(rows, ignore_conflicts=True)
        added += len(rows)
    return added


# ---------------------------------------------------------------- locking


def rights_lock(patent_ids: Iterable[int]) -> dict[int, PatentRights]:
    """Lock the patents' rights rows (created when missing) in ascending patent id order; inside a transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("rights_lock must run inside the caller's transaction")
    ids = sorted(set(patent_ids))
    PatentRights.objects.bulk_create([PatentRights(patent_id=pid) for pid in ids], ignore_conflicts=True)
    locked = {
        r.patent_id: r
        for r in PatentRights.objects.select_for_update().filter(patent_id__in=ids).order_by("patent_id")
    }
    holders_backfill(ids)  # patents stored before the rights record: under the lock, so only one thread adds
    return locked


def _keys(patent_ids: Iterable[int]) -> dict[int, str]:
    return {
        p.pk: p.key
        for p in Patent.objects.filter(pk__in=list(patent_ids)).only("app_no", "pub_no", "pub_kind")
    }


def _require_holding(organization: Organization, patent_ids: Sequence[int], kind: str) -> None:
    holdings = holders_of(patent_ids)
    keys = _keys(patent_ids)
    not_held = [
        pid for pid in patent_ids if not any(h.organization_id == organization.pk for h in holdings[pid])
    ]
    if not_held:
        shown = "；".join(
            f"{keys.get(pid, pid)}（权利人：{'、'.join(h.name or h.organization.name for h in holdings[pid]) or '未登记'}）"
            for pid in not_held
        )
        raise _refuse(
            "rights_not_holder",
            f"{organization.name}不是以下专利的权利人，不能办理该交易：{shown}",
            f"{organization.name} does not hold: {', '.join(keys.get(p, str(p)) for p in not_held)}",
            patents=[keys.get(p) for p in not_held],
        )
    if kind in WHOLE_PATENT_GRANTS:
        shared = [pid for pid in patent_ids if len(holdings[pid]) > 1]
        if shared:
            raise _refuse(
                "rights_co_owned",
                "以下专利为共有专利，转让、独占/排他许可、质押、作价入股或开放许可须全体共有人共同办理："
                + "、".join(keys.get(p, str(p)) for p in shared),
                "co-owned patents: this needs every co-owner",
            )


def _expire(patent_ids: Sequence[int], on: date) -> None:
    """Licences and pledges whose term ended before `on` stop binding (they stay in the history)."""
    ended = RightsGrant.objects.filter(patent_id__in=patent_ids, active=True, term_end__lt=on).exclude(
        kind=GrantKind.TRANSFER
    )
    for g in ended:
        _event(
            g.patent_id, "release", g.grantor_id, None, g, before={"active": True}, after={"active": False}
        )
    ended.update(active=False, ended_at=timezone.now())


def _event(
    patent_id: int,
    action: str,
    organization_id: int | None,
    actor: User | None,
    grant: RightsGrant | None = None,
    *,
    deal_id: int | None = None,
    deal_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    RightsEvent.objects.create(
        patent_id=patent_id,
        action=action,
        organization_id=organization_id,
        actor=actor if getattr(actor, "pk", None) else None,
        deal_id=grant.deal_id if grant else deal_id,
        deal_code=grant.deal_code if grant else deal_code,
        before=before or {},
        after=after or {},
    )


def _conflict_text(other: RightsGrant, organization: Organization) -> str:
    # Another tenant's deal code is not ours to show: only the kind of right and its term.
    own = f"（{other.deal_code}）" if other.grantor_id == organization.pk and other.deal_code else ""
    term = f"，期限至 {other.term_end}" if other.term_end else ""
    return f"{GrantKind(other.kind).label}{own}{term}"


def _check_grant(
    kind: str, live: list[RightsGrant], rights: PatentRights, key: str, organization: Organization
) -> None:
    exclusive = [g for g in live if g.kind in EXCLUSIVE_GRANTS]
    if kind == GrantKind.TRANSFER and (
        rights.status == RightsStatus.TRANSFERRING or any(g.kind == GrantKind.TRANSFER for g in live)
    ):
        raise _refuse(
            "rights_transfer_pending",
            f"专利 {key} 已有签约未完成的转让，不能再次转让",
            f"{key} already has a signed transfer in progress",
        )
    if kind == GrantKind.PLEDGE and any(g.kind == GrantKind.PLEDGE for g in live):
        # 专利权质押登记办法（国家知识产权局公告第四六一号）: 已被申请质押登记且处于质押期间的, 不予登记
        raise _refuse(
            "rights_pledged",
            f"专利 {key} 已质押且处于质押期间，解押前不能再次出质",
            f"{key} is pledged and in its pledge term: no second pledge before release",
        )
    if kind in LICENCES and exclusive:
        raise _refuse(
            "exclusive_conflict",
            f"专利 {key} 已有仍在期限内的{_conflict_text(exclusive[0], organization)}，不能再许可他人实施",
            f"{key} is under an exclusive or sole licence in term",
            "licence_type",
        )
    if kind in EXCLUSIVE_GRANTS:
        ordinary = [g for g in live if g.kind == GrantKind.ORDINARY]
        declared = [g for g in live if g.kind == GrantKind.OPEN_LICENCE]
        if declared:
            raise _refuse(
                "open_licence_conflict",
                f"专利 {key} 已声明开放许可，开放许可期间不得授予独占或排他许可",
                "the patent is under an open licence: no exclusive or sole licence",
                "licence_type",
            )
        if ordinary:
            raise _refuse(
                "licence_outstanding",
                f"专利 {key} 已有仍在期限内的普通许可，不能再授予独占或排他许可",
                f"{key} has ordinary licences in term: no exclusive or sole licence",
                "licence_type",
            )
    if kind == GrantKind.OPEN_LICENCE and exclusive:
        raise _refuse(
            "exclusive_conflict",
            f"专利 {key} 已有仍在期限内的{_conflict_text(exclusive[0], organization)}，不能声明开放许可",
            "an exclusive or sole licence is in term",
        )


def rights_check(*, organization: Organization, patent_ids: Sequence[int], kind: str) -> None:
    """The holding check alone (a deal being recorded before it is signed); raises the refusal."""
    holders_backfill(patent_ids)  # idempotent (ignore_conflicts): safe outside the lock
    _require_holding(organization, sorted(set(patent_ids)), kind)


def rights_grant(
    *,
    organization: Organization,
    patent_ids: Sequence[int],
    kind: str,
    actor: User | None = None,
    deal_id: int | None = None,
    deal_code: str = "",
    declaration_id: int | None = None,
    term_start: date | None = None,
    term_end: date | None = None,
    on: date | None = None,
) -> list[RightsGrant]:
    """Record a right the holder grants (a signed deal, an open-licence declaration), after locking and checking."""
    if kind not in GrantKind.values:
        raise ValueError(f"unknown grant kind {kind}")
    on = on or timezone.localdate()
    ids = sorted(set(patent_ids))
    with transaction.atomic():
        locked = rights_lock(ids)
        _require_holding(organization, ids, kind)
        _expire(ids, on)
        keys = _keys(ids)
        live: dict[int, list[RightsGrant]] = defaultdict(list)
        others = RightsGrant.objects.filter(patent_id__in=ids, active=True)
        if deal_id is not None:
            others = others.exclude(deal_id=deal_id)
        for g in others:
            live[g.patent_id].append(g)
        for pid in ids:
            _check_grant(kind, live[pid], locked[pid], keys.get(pid, str(pid)), organization)
        if deal_id is not None:
            already = set(
                RightsGrant.objects.filter(deal_id=deal_id, active=True).values_list("patent_id", flat=True)
            )
            ids = [pid for pid in ids if pid not in already]
        grants = [
            RightsGrant(
                patent_id=pid,
                kind=kind,
                grantor=organization,
                deal_id=deal_id,
                deal_code=deal_code,
                declaration_id=declaration_id,
                term_start=term_start,
                term_end=term_end,
            )
            for pid in ids
        ]
        try:
            with transaction.atomic():  # savepoint: the index refuses what a racing writer already holds
                RightsGrant.objects.bulk_create(grants)
        except IntegrityError:
            raise _refuse(
                "rights_conflict",
                "该专利的权利状态刚被另一笔交易改变，请刷新后重试",
                "the patent's rights changed meanwhile; reload and retry",
            )
        for g in grants:
            _event(
                g.patent_id,
                "grant",
                organization.pk,
                actor,
                g,
                after={"kind": kind, "term_end": str(term_end or "")},
            )
        if kind == GrantKind.TRANSFER:
            PatentRights.objects.filter(patent_id__in=ids).update(status=RightsStatus.TRANSFERRING)
        for pid in ids:
            locked[pid].version += 1
        PatentRights.objects.bulk_update([locked[pid] for pid in ids], ["version"])
    return grants


def rights_release(
    *, deal_id: int | None = None, declaration_id: int | None = None, actor: User | None = None
) -> int:
    """A terminated deal / withdrawn declaration stops binding; a pending transfer leaves the patent held."""
    if (deal_id is None) == (declaration_id is None):
        raise ValueError("give deal_id or declaration_id")
    where = Q(deal_id=deal_id) if deal_id is not None else Q(declaration_id=declaration_id)
    with transaction.atomic():
        pids = list(RightsGrant.objects.filter(where, active=True).values_list("patent_id", flat=True))
        if not pids:
            return 0
        rights_lock(pids)
        grants = list(RightsGrant.objects.filter(where, active=True))
        for g in grants:
            _event(g.patent_id, "release", g.grantor_id, actor, g, before={"kind": g.kind, "active": True})
        RightsGrant.objects.filter(pk__in=[g.pk for g in grants]).update(
            active=False, ended_at=timezone.now()
        )
        transfers = [g.patent_id for g in grants if g.kind == GrantKind.TRANSFER]
        PatentRights.objects.filter(patent_id__in=transfers).update(status=RightsStatus.HELD)
    return len(grants)


def rights_transfer_complete(
    *,
    deal_id: int,
    deal_code: str,
    seller: Organization,
    patent_ids: Sequence[int],
    buyers: Sequence[Organization],
    effective: date,
    actor: User | None = None,
) -> None:
    """A completed transfer: the buyers hold the patents, the seller's holding ends and its record leaves the pool."""
    ids = sorted(set(patent_ids))
    with transaction.atomic():
        rights_lock(ids)
        _require_holding(seller, ids, GrantKind.TRANSFER)
        buyer_names = [b.name for b in buyers]
        for patent in Patent.objects.filter(pk__in=ids):
            before = {"holders": [seller.name], "patentees": list(patent.patentees)}
            PatentHolder.objects.filter(patent=patent, organization=seller, active=True).update(
                active=False, ended_on=effective
            )
            PatentHolder.objects.bulk_create(
                [
                    PatentHolder(
                        patent=patent,
                        organization=b,
                        name=b.name,
                        source=HolderSource.DEAL,
                        deal_id=deal_id,
                        since=effective,
                    )
                    for b in buyers
                ],
                ignore_conflicts=True,
            )
            patent.patentees = buyer_names
            patent.save(update_fields=["patentees", "updated_at"])
            after = {"holders": buyer_names, "patentees": buyer_names, "on": effective.isoformat()}
            _event(
                patent.pk,
                "transfer",
                seller.pk,
                actor,
                deal_id=deal_id,
                deal_code=deal_code,
                before=before,
                after=after,
            )
            audit_record(
                "patent.transfer_complete",
                actor=actor,
                tenant_id=seller.pk,
                obj=patent,
                detail={"before": before, "after": after},
            )
        RightsGrant.objects.filter(deal_id=deal_id, kind=GrantKind.TRANSFER, active=True).update(
            active=False, ended_at=timezone.now()
        )
        PatentRights.objects.filter(patent_id__in=ids).update(status=RightsStatus.HELD)
        # Out of the seller's 转化资源库: its record stays (history, statistics) as converted and transferred out.
        InventoryRecord.objects.filter(patent_id__in=ids, organization=seller).update(
            state=InventoryState.TRANSFERRED, converted=True, converted_at=timezone.now()
        )


def rights_holder_add(
    *,
    patent_ids: Sequence[int],
    organization: Organization,
    source: str,
    actor: User | None = None,
    since: date | None = None,
    share_bp: int | None = None,
) -> int:
    """Register `organization` as a (co-)holder of each patent where it is not one yet; the number added."""
    ids = sorted(set(patent_ids))
    with transaction.atomic():
        rights_lock(ids)
        present = {pid for pid, oids in holder_ids(ids).items() if organization.pk in oids}
        rows = [
            PatentHolder(
                patent_id=pid,
                organization=organization,
                name=organization.name,
                source=source,
                since=since,
                share_bp=share_bp,
            )
            for pid in ids
            if pid not in present
        ]
        PatentHolder.objects.bulk_create(rows)
        for r in rows:
            _event(
                r.patent_id,
                "holder_add",
                organization.pk,
                actor,
                after={"holder": organization.name, "source": source},
            )
    return len(rows)


def rights_conflict_resolve(*, actor: User, conflict_id: int, accept: bool) -> RightsConflict:
    """The holder's administrator takes (accept) or leaves (reject) a co-holder's differing value; audited."""
    from panhuo.accounts.models import Role

    with transaction.atomic():
        conflict = (
            RightsConflict.objects.select_for_update()
            .filter(pk=conflict_id, holder_id=getattr(actor, "organization_id", None))
            .first()
        )
        if conflict is None:
            raise NotFound("复核条目不存在", "review item not found")
        if actor.role != Role.INSTITUTION_ADMIN:
            raise PermissionRefused(
                "只有权利人单位的学校管理员可以处理", "the holder's institution admin only"
            )
        if conflict.status != ConflictStatus.OPEN:
            raise _refuse("rights_conflict_closed", "该条目已处理", "already resolved", None)
        detail: dict[str, Any] = {"patent": conflict.patent_id, "field": conflict.field, "accept": accept}
        if accept:
            patent = Patent.objects.select_for_update().get(pk=conflict.patent_id)
            field = Patent._meta.get_field(conflict.field)
            assert isinstance(field, Field)
            before = getattr(patent, conflict.field)
            setattr(patent, conflict.field, field.to_python(conflict.incoming))
            patent.save(update_fields=[conflict.field, "updated_at"])
            detail.update(before=conflict.stored, after=conflict.incoming)
            _event(
                patent.pk,
                "field_change",
                actor.organization_id,
                actor,
                before={conflict.field: conflict.stored if before is not None else None},
                after={conflict.field: conflict.incoming},
            )
        conflict.status = ConflictStatus.ACCEPTED if accept else ConflictStatus.REJECTED
        conflict.resolved_by = actor
        conflict.resolved_at = timezone.now()
        conflict.save(update_fields=["status", "resolved_by", "resolved_at"])
        audit_record(
            "rights.conflict_resolve",
            actor=actor,
            tenant_id=actor.organization_id,
            obj=conflict,
            detail=detail,
        )
    return conflict


def rights_record_change(
    *,
    patent: Patent,
    before_names: Sequence[str],
    after_names: Sequence[str],
    changed_on: date,
    actor: User | None = None,
    tenant_id: int | None = None,
) -> list[int]:
    """A CNIPA 著录项目变更 (public record): the holders become the organizations named after the change.

    Names are matched to verified organizations (exact name after NFKC/space folding); a name no organization
    carries stays only in 专利权人. Returns the holder organization ids after the change.
    """
    after = [n.strip() for n in after_names if n.strip()]
    with transaction.atomic():
        rights_lock([patent.pk])
        current = holders_of([patent.pk])[patent.pk]
        variants = {*after, *(unicodedata.normalize("NFKC", n) for n in after)}
        named = list(
            Organization.objects.filter(verified=True, name__in=variants)
            .exclude(code__startswith="PARTY-")
            .order_by("id")
        )
        new_ids = {o.pk for o in named}
        ended = [h for h in current if h.organization_id not in new_ids]
        PatentHolder.objects.filter(pk__in=[h.pk for h in ended]).update(active=False, ended_on=changed_on)
        present = {h.organization_id for h in current}
        PatentHolder.objects.bulk_create(
            [
                PatentHolder(
                    patent=patent, organization=o, name=o.name, source=HolderSource.CNIPA, since=changed_on
                )
                for o in named
                if o.pk not in present
            ]
        )
        before = {"holders": [h.name or h.organization.name for h in current], "patentees": list(patent.patentees),
                  "record_before": list(before_names)}  # fmt: skip
        patent.patentees = after
        patent.save(update_fields=["patentees", "updated_at"])
        after_state = {"holders": [o.name for o in named], "patentees": after, "on": changed_on.isoformat()}
        _event(patent.pk, "cnipa_change", tenant_id, actor, before=before, after=after_state)
        audit_record(
            "rights.cnipa_change",
            actor=actor,
            tenant_id=tenant_id,
            obj=patent,
            detail={"before": before, "after": after_state},
        )
        if not named:
            PatentRights.objects.filter(patent=patent).update(status=RightsStatus.HELD)
    return sorted(new_ids)
