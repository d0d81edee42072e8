"""Reads of the 质押融资 flow: who sees which application, and the office statistics."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.accounts.visibility import ADMIN_ROLES, office_prefix
from panhuo.common.errors import NotFound
from panhuo.common.labels import region_name
from panhuo.financing.models import LOAN_STATES, ApplicationStatus, PledgeApplication

APPLICANT_ROLES = (Role.ENTERPRISE_USER, Role.INSTITUTION_ADMIN)


def applications_visible(user: User) -> QuerySet[PledgeApplication]:
    """The applicant sees its own; a bank the ones addressed to it; an office those of applicants in its region."""
    qs = PledgeApplication.objects.select_related("applicant", "bank", "deal")
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False) or role in ADMIN_ROLES:
        return qs.none()
    prefix = office_prefix(user)
    if prefix is not None:
        return qs.filter(applicant__region_code__startswith=prefix)
    if user.organization_id is None:
        return qs.none()
    if role == Role.BANK_USER:
        return qs.filter(bank_id=user.organization_id)
    if role in APPLICANT_ROLES:
        return qs.filter(applicant_id=user.organization_id)
    return qs.none()


def application_get(user: User, application_id: int) -> PledgeApplication:
    app = applications_visible(user).filter(pk=application_id).first() if 0 < application_id < 2**63 else None
    if app is None:
        raise NotFound("质押融资申请不存在", "application not found")
    return app


def banks() -> QuerySet[Organization]:
    return Organization.objects.filter(type=OrganizationType.BANK, verified=True).order_by("name")


@dataclass(frozen=True)
class GroupRow:
    name: str
    applications: int
    approved: int
    approved_fen: int


@dataclass(frozen=True)
class PledgeStatistics:
    year: int
    applications: int
    pending: int  # 待审批 + 待补充材料
    approved: int  # approved in the year (any later state)
    rejected: int
    requested_fen: int
    approved_fen: int
    registered: int
    registered_fen: int  # 质押登记金额
    live: int  # loans not repaid (any year)
    live_fen: int
    by_bank: tuple[GroupRow, ...]
    by_region: tuple[GroupRow, ...]


APPROVED_STATES = (ApplicationStatus.APPROVED, ApplicationStatus.REGISTERED, ApplicationStatus.REPAID)


def pledge_statistics(
    *, year: int, region_prefix: str = "", institution_id: int | None = None
) -> PledgeStatistics:
    """Applications submitted in `year` by applicants of the region (or one applicant), and loans still live."""
    scope = PledgeApplication.objects.all()
    if institution_id is not None:
        scope = scope.filter(applicant_id=institution_id)
    else:
        scope = scope.filter(applicant__region_code__startswith=region_prefix)
    qs = scope.filter(submitted_at__year=year)
    approved = Q(status__in=APPROVED_STATES)
    registered = Q(status__in=(ApplicationStatus.REGISTERED, ApplicationStatus.REPAID))
    totals = qs.aggregate(
        n=Count("id"),
        pending=Count("id", filter=Q(status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO))),
        approved=Count("id", filter=approved),
        rejected=Count("id", filter=Q(status=ApplicationStatus.REJECTED)),
        requested=Sum("requested_amount_fen"),
        approved_fen=Sum("approved_amount_fen", filter=approved),
        registered=Count("id", filter=registered),
        registered_fen=Sum("approved_amount_fen", filter=registered),
    )
    live = scope.filter(status__in=LOAN_STATES).aggregate(n=Count("id"), s=Sum("approved_amount_fen"))

    def groups(key: str) -> list[tuple[str, int, int, int]]:
        rows = (
            qs.values(key)
            .annotate(
                n=Count("id"), a=Count("id", filter=approved), s=Sum("approved_amount_fen", filter=approved)
            )
            .order_by("-n", key)
        )
        return [(r[key] or "", r["n"], r["a"], r["s"] or 0) for r in rows]

    return PledgeStatistics(
        year=year,
        applications=totals["n"],
        pending=totals["pending"],
        approved=totals["approved"],
        rejected=totals["rejected"],
        requested_fen=totals["requested"] or 0,
        approved_fen=totals["approved_fen"] or 0,
        registered=totals["registered"],
        registered_fen=totals["registered_fen"] or 0,
        live=live["n"],
        live_fen=live["s"] or 0,
        by_bank=tuple(GroupRow(name, n, a, s) for name, n, a, s in groups("bank__name")),
        by_region=tuple(
            GroupRow(region_name(code), n, a, s) for code, n, a, s in groups("applicant__region_code")
        ),
    )


@dataclass(frozen=True)
class BankRecordedLoanCosts:
    """What the lending bank recorded on a 质押融资 loan: interest actually paid (None until repayment is recorded)
    and the insurance / guarantee premium agreed at approval. Read by subsidy schemes (贴息 / 保费补助)."""

    interest_paid_fen: int | None
    premium_fen: int


def bank_recorded_loan_costs(deal_ids: list[int]) -> dict[int, BankRecordedLoanCosts]:
    """Pledge deal id -> the costs its bank recorded, for deals that came through a 质押融资 application."""
    rows = PledgeApplication.objects.filter(deal_id__in=deal_ids).values_list(
        "deal_id", "interest_paid_fen", "premium_fen"
    )
    return {deal_id: BankRecordedLoanCosts(paid, premium) for deal_id, paid, premium in rows}
