"""先使用后付费 payment schedules: generate one from the licence terms (a preview, nothing written), save it (edited
or not) as the deal's instalments, confirm it; after confirmation the instalments are no longer changed.

The saved rows are ordinary `PaymentInstalment`s, so the reminders, reconciliation and the 先使用后付费 figures of
the licence-mode statistics read them like any other schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from engine.deals.money import MoneyError, parse_yuan
from engine.deals.schedule import Instalment, ScheduleTerms, pay_after_use_schedule, schedule_errors
from panhuo.accounts.models import User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, ErrorCollector
from panhuo.deals.models import MAX_FEN, Deal, DealKind, PaymentInstalment
from panhuo.deals.services.common import deal_for_staff

MAX_ROWS = 240


def _schedulable(deal_id: int, actor: User) -> Deal:
    deal = deal_for_staff(deal_id, actor)
    if deal.kind not in (DealKind.LICENCE, DealKind.OPEN_LICENCE) or not deal.pay_after_use:
        raise ApplicationError(
            "schedule_kind", "只有先使用后付费的许可可以生成付款计划", "pay-after-use licences only", "mode"
        )
    return deal


def _yuan(raw: str, field: str, zh: str, errors: ErrorCollector) -> int:
    if not (raw or "").strip():
        return 0
    try:
        return parse_yuan(raw)
    except MoneyError as exc:
        errors.refuse(field, f"{zh}：{exc.message_zh}", exc.message_en)
        return 0


def schedule_generate(
    *,
    deal_id: int,
    actor: User,
    start: date | None,
    end: date | None,
    free_months: int | None,
    period_months: int | None,
    mode: str,
    amount_yuan: str = "",
    revenue_percent: str = "",
    revenue_yuan: str = "",
) -> tuple[ScheduleTerms, list[Instalment]]:
    """The schedule the terms give (nothing is written); every problem with the terms at once."""
    _schedulable(deal_id, actor)
    errors = ErrorCollector()
    if start is None:
        errors.refuse("start", "请填写许可起始日", "give the start date")
    if end is None:
        errors.refuse("end", "请填写付费截止日", "give the end date")
    amount = _yuan(amount_yuan, "amount", "金额", errors)
    revenue = _yuan(revenue_yuan, "revenue", "每期预计销售额", errors)
    bp = 0
    text = (revenue_percent or "").strip().rstrip("%％")
    if text:
        try:
            value = Decimal(text) * 100
            if value != value.to_integral_value():
                raise InvalidOperation
            bp = int(value)
        except InvalidOperation:
            errors.refuse("revenue_percent", "提成比例应为百分数，最多两位小数", "a percentage, two decimals")
    if start is None or end is None:
        errors.raise_any()
    assert start is not None and end is not None
    terms = ScheduleTerms(
        start=start,
        end=end,
        free_months=free_months if free_months is not None else -1,
        period_months=period_months or 0,
        mode=mode,
        amount_fen=amount,
        revenue_bp=bp,
        revenue_fen=revenue,
    )
    for e in schedule_errors(terms):
        errors.refuse(e.field, e.message_zh, e.message_en)
    errors.raise_any()
    return terms, pay_after_use_schedule(terms)


def schedule_replace(
    *,
    deal_id: int,
    actor: User,
    rows: Sequence[tuple[date | None, str, str]],
    terms: ScheduleTerms | None = None,
) -> list[PaymentInstalment]:
    """Save the (edited) schedule: rows of (due date, amount in yuan, note); every bad row named at once."""
    deal = _schedulable(deal_id, actor)
    errors = ErrorCollector()
    if deal.schedule_confirmed_at is not None:
        errors.refuse("rows", "付款计划已确认，不能再修改", "the schedule is confirmed")
    parsed: list[PaymentInstalment] = []
    for n, (due, amount_text, note) in enumerate(rows, start=1):
        if due is None and not (amount_text or "").strip():
            continue  # an empty row of the form
        if due is None:
            errors.refuse("rows", f"第 {n} 行：请填写应付日期", f"row {n}: due date missing")
        fen = 0
        try:
            fen = parse_yuan(amount_text)
        except MoneyError as exc:
            errors.refuse("rows", f"第 {n} 行：{exc.message_zh}", f"row {n}: {exc.message_en}")
        else:
            if not 0 < fen <= MAX_FEN:
                errors.refuse("rows", f"第 {n} 行：应付金额须大于 0", f"row {n}: amount must be positive")
        if due is not None and fen > 0:
            parsed.append(
                PaymentInstalment(deal=deal, due_date=due, amount_fen=fen, note=(note or "").strip()[:200])
            )
    if not parsed and not errors.errors:
        errors.refuse("rows", "付款计划至少需要一期", "at least one instalment")
    if len(parsed) > MAX_ROWS:
        errors.refuse("rows", f"付款计划最多 {MAX_ROWS} 期", f"at most {MAX_ROWS} instalments")
    errors.raise_any()
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        if locked.schedule_confirmed_at is not None:
            raise ApplicationError(
                "schedule_confirmed", "付款计划已确认，不能再修改", "the schedule is confirmed", "rows"
            )
        before = list(PaymentInstalment.objects.filter(deal=deal).values_list("due_date", "amount_fen"))
        PaymentInstalment.objects.filter(deal=deal).delete()
        saved = PaymentInstalment.objects.bulk_create(sorted(parsed, key=lambda r: r.due_date))
        terms_json = (
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(terms).items()}
            if terms
            else {}
        )
        Deal.objects.filter(pk=deal.pk).update(schedule_terms=terms_json, updated_at=timezone.now())
        audit_record(
            "deal.schedule",
            actor=actor,
            obj=deal,
            detail={
                "instalments": len(saved),
                "total_fen": sum(r.amount_fen for r in saved),
                "before": [[d.isoformat(), a] for d, a in before],
            },
        )
    return saved


def schedule_confirm(*, deal_id: int, actor: User) -> Deal:
    """Freeze the schedule: from now on the instalments are what the licensee owes."""
    deal = _schedulable(deal_id, actor)
    if not deal.instalments.exists():
        raise ApplicationError("schedule_empty", "请先生成并保存付款计划", "save a schedule first", "rows")
    moved = Deal.objects.filter(pk=deal.pk, schedule_confirmed_at__isnull=True).update(
        schedule_confirmed_at=timezone.now(), updated_at=timezone.now()
    )
    if moved != 1:
        raise ApplicationError("schedule_confirmed", "付款计划已确认", "already confirmed", "rows")
    audit_record(
        "deal.schedule_confirm", actor=actor, obj=deal, detail={"instalments": deal.instalments.count()}
    )
    deal.refresh_from_db()
    return deal
