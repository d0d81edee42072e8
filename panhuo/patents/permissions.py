"""Who may do what to an inventory record now: fill (建档), review, and the actions offered on the page and API."""

from __future__ import annotations

from dataclasses import dataclass

from panhuo.accounts.acting import Viewer, signed_in
from panhuo.accounts.models import Role
from panhuo.common.errors import NotFound
from panhuo.patents.inventory_fields import FILLABLE_STATES
from panhuo.patents.models import InventoryRecord, InventoryState


def same_tenant(actor: Viewer, record: InventoryRecord) -> None:
    """Another tenant's record does not exist for the actor (404, not 403)."""
    if not signed_in(actor) or actor.organization_id != record.organization_id:
        raise NotFound()


def may_fill(actor: Viewer, record: InventoryRecord) -> bool:
    """Inventor listed on the record, the college admin of its college, or the institution admin."""
    if not signed_in(actor) or actor.organization_id != record.organization_id:
        return False
    if actor.role == Role.INSTITUTION_ADMIN:
        return True
    if actor.role == Role.COLLEGE_ADMIN:
        return actor.college_id is not None and actor.college_id == record.college_id
    if actor.role == Role.INVENTOR:
        return record.inventor_users.filter(pk=actor.pk).exists()
    return False


def may_review(actor: Viewer, record: InventoryRecord) -> bool:
    """学院 admin of the record's college at 学院审核; the institution admin at 学校审核."""
    if not signed_in(actor) or actor.organization_id != record.organization_id:
        return False
    if record.state == InventoryState.COLLEGE_REVIEW:
        return (
            actor.role == Role.COLLEGE_ADMIN
            and actor.college_id is not None
            and actor.college_id == record.college_id
        )
    if record.state == InventoryState.INSTITUTION_REVIEW:
        return actor.role == Role.INSTITUTION_ADMIN
    return False


@dataclass(frozen=True)
class Action:
    """An action the acting user may take on a record now (drives buttons and the API's `actions`)."""

    name: str
    label: str


def inventory_actions(actor: Viewer, record: InventoryRecord) -> list[Action]:
    actions: list[Action] = []
    if record.state in FILLABLE_STATES and may_fill(actor, record):
        actions.append(Action("fill", "建档"))
        if record.state == InventoryState.DRAFT:
            actions.append(Action("submit", "提交审核"))
    if may_review(actor, record):
        actions += [Action("approve", "审核通过"), Action("return", "退回修改")]
    return actions
