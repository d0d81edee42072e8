"""A newly filed application enters the patent records and the holder's 基础库 (from a disclosure's filing).

Kept apart from `services.py` (the 建档 workflow): this is the one write that creates a Patent from a 申请号
typed by the TTO rather than from an import, so the inventory starts without retyping what the disclosure holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from panhuo.accounts.models import College, Organization, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError
from panhuo.patents.assignment import inventory_open
from panhuo.patents.models import InventoryRecord, LegalStatus, Patent


@dataclass(frozen=True)
class NewApplication:
    """What a filing already knows about the application (the disclosure's text, inventors and funding)."""

    app_no: str  # canonical (normalised and check digit verified by the caller)
    patent_type: str
    title: str
    abstract: str
    inventors: Sequence[str]
    application_date: date
    fiscal_funded: bool


def application_register(
    *,
    actor: User,
    organization: Organization,
    college: College | None,
    application: NewApplication,
) -> InventoryRecord:
    """Create (or reuse) the Patent of this 申请号 and open it in the institution's 基础库.

    A number already held only by other institutions is refused: it would link a tenant's disclosure to
    someone else's patent.
    """
    with transaction.atomic():
        patent = Patent.objects.select_for_update().filter(app_no=application.app_no).first()
        if patent is not None:
            holders = set(patent.inventory_records.values_list("organization_id", flat=True))
            if holders and organization.pk not in holders:
                raise ApplicationError(
                    "app_no_other_holder",
                    "该申请号已登记在其他机构名下",
                    "this application number belongs to another institution",
                    "app_no",
                )
            if patent.patent_type != application.patent_type:
                raise ApplicationError(
                    "app_no_type",
                    "申请号的专利类型与已登记的专利不一致",
                    "the application number's patent type differs from the recorded patent",
                    "app_no",
                )
        else:
            patent = Patent.objects.create(
                app_no=application.app_no,
                patent_type=application.patent_type,
                title=application.title,
                abstract=application.abstract,
                inventors=list(application.inventors),
                applicants=[organization.name],
                application_date=application.application_date,
                legal_status=LegalStatus.PENDING,
                source="技术交底",
            )
            audit_record(
                "patent.register_application",
                actor=actor,
                tenant_id=organization.pk,
                obj=patent,
                detail={"app_no": patent.app_no},
            )
        record = inventory_open(organization=organization, patent=patent, college=college, actor=actor)
        if record.fiscal_funded is None:
            record.fiscal_funded = application.fiscal_funded
            record.save(update_fields=["fiscal_funded", "updated_at"])
    return record
