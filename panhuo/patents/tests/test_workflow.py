"""建档 two-level review: every transition, every refusal (and that a refusal changes nothing)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from panhuo.accounts.models import Role
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.common.models import AuditEvent
from panhuo.patents import permissions
from panhuo.patents.assignment import inventory_assign
from panhuo.patents.inventory_fields import inventory_validate
from panhuo.patents.models import InventoryRecord, InventoryState, ReviewEvent
from panhuo.patents.services import inventory_approve, inventory_fill, inventory_return, inventory_submit
from panhuo.patents.tests.conftest import FULL_FILL

pytestmark = pytest.mark.django_db


def snapshot(record: InventoryRecord) -> tuple:
    fresh = InventoryRecord.objects.get(pk=record.pk)
    fields = tuple(getattr(fresh, f.attname) for f in InventoryRecord._meta.concrete_fields)
    return fields, ReviewEvent.objects.count(), AuditEvent.objects.count()


def test_full_path_inventor_to_pool(record, inventor, college_admin, institution_admin):
    inventory_fill(actor=inventor, record=record, changes=FULL_FILL)
    assert record.state == InventoryState.DRAFT
    assert record.filer == inventor and record.proxy_filing is False
    assert record.conversion_modes == ["transfer", "licence"]  # canonical order
    inventory_submit(actor=inventor, record=record)
    assert record.state == InventoryState.COLLEGE_REVIEW and record.submitted_at is not None
    inventory_approve(actor=college_admin, record=record, comment="同意")
    assert record.state == InventoryState.INSTITUTION_REVIEW and record.pooled_at is None
    inventory_approve(actor=institution_admin, record=record)
    record.refresh_from_db()
    assert record.state == InventoryState.POOLED and record.pooled_at is not None
    history = list(record.history.values_list("action", "from_state", "to_state", "actor_id", "comment"))
    assert history == [
        ("fill", "unfiled", "draft", inventor.pk, ""),
        ("submit", "draft", "college_review", inventor.pk, ""),
        ("approve", "college_review", "institution_review", college_admin.pk, "同意"),
        ("approve", "institution_review", "pooled", institution_admin.pk, ""),
    ]
    actions = list(
        AuditEvent.objects.filter(object_type="patents.InventoryRecord", object_id=str(record.pk))
        .order_by("id")
        .values_list("action", "tenant_id")
    )
    assert actions == [
        ("inventory.open", record.organization_id),
        ("inventory.fill", record.organization_id),
        ("inventory.submit", record.organization_id),
        ("inventory.approve", record.organization_id),
        ("inventory.approve", record.organization_id),
    ]


def test_no_college_goes_straight_to_institution_review(record, institution_admin, inventor):
    inventory_assign(actor=institution_admin, record=record, college=None)
    inventory_fill(actor=institution_admin, record=record, changes=FULL_FILL)
    assert record.proxy_filing is True  # an admin filing for the inventor
    inventory_submit(actor=institution_admin, record=record)
    assert record.state == InventoryState.INSTITUTION_REVIEW


@pytest.mark.parametrize("level", ["college", "institution"])
def test_return_at_each_level_needs_reason_then_refile(
    level, record, inventor, college_admin, institution_admin
):
    inventory_fill(actor=inventor, record=record, changes=FULL_FILL)
    inventory_submit(actor=inventor, record=record)
    reviewer = college_admin
    if level == "institution":
        inventory_approve(actor=college_admin, record=record)
        reviewer = institution_admin
    before = snapshot(record)
    for blank in ("", "   "):
        with pytest.raises(ApplicationError) as err:
            inventory_return(actor=reviewer, record=record, reason=blank)
        assert err.value.code == "reason_required" and err.value.field == "reason"
    assert snapshot(record) == before
    inventory_return(actor=reviewer, record=record, reason="应用场景不具体")
    record.refresh_from_db()
    assert record.state == InventoryState.DRAFT and record.return_reason == "应用场景不具体"
    last = record.history.last()
    assert (last.action, last.to_state, last.comment) == ("return", "draft", "应用场景不具体")
    # the inventor revises and resubmits; the reason is cleared
    inventory_fill(actor=inventor, record=record, changes={"application_scenarios": "电池产线在线检测"})
    inventory_submit(actor=inventor, record=record)
    assert record.state == InventoryState.COLLEGE_REVIEW and record.return_reason == ""


def test_proxy_filing_flag(record, inventor):
    inventory_fill(actor=inventor, record=record, changes={"trl": 3}, proxy_filing=True)
    record.refresh_from_db()
    assert record.proxy_filing is True and record.trl == 3


def refuse(call, record, code: str, exc_type=ApplicationError):
    before = snapshot(record)
    with pytest.raises(exc_type) as err:
        call()
    assert err.value.code == code
    assert snapshot(record) == before
    return err.value


def test_fill_refusals_change_nothing(
    record, inventor, make_user, university, me, other_admin, enterprise_user
):
    not_listed = make_user(Role.INVENTOR, university, college=record.college)
    other_college_admin = make_user(Role.COLLEGE_ADMIN, university, college=me)
    refuse(
        lambda: inventory_fill(actor=not_listed, record=record, changes=FULL_FILL),
        record,
        "forbidden",
        PermissionRefused,
    )
    refuse(
        lambda: inventory_fill(actor=other_college_admin, record=record, changes=FULL_FILL),
        record,
        "forbidden",
        PermissionRefused,
    )
    refuse(
        lambda: inventory_fill(actor=other_admin, record=record, changes=FULL_FILL),
        record,
        "not_found",
        NotFound,
    )
    refuse(
        lambda: inventory_fill(actor=enterprise_user, record=record, changes=FULL_FILL),
        record,
        "not_found",
        NotFound,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"trl": 0}, "trl"),
        ({"trl": 10}, "trl"),
        ({"trl": "x"}, "trl"),
        ({"trl": True}, "trl"),
        ({"conversion_modes": ["sell"]}, "conversion_modes"),
        ({"conversion_modes": "transfer"}, "conversion_modes"),
        ({"value_self_grade": "E"}, "value_self_grade"),
        ({"implementation_status": "maybe"}, "implementation_status"),
        ({"fiscal_funded": "yes"}, "fiscal_funded"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"first_inventor": "张" * 101}, "first_inventor"),
        ({"state": "pooled"}, "state"),
        ({"organization_id": 99}, "organization_id"),
    ],
)
def test_fill_validation_refusals(changes, field, record, inventor):
    err = refuse(
        lambda: inventory_fill(actor=inventor, record=record, changes=changes),
        record,
        "unknown_field" if field in {"state", "organization_id"} else "invalid_field",
    )
    assert err.field == field and err.message_zh and err.message_en


def test_fill_refused_once_under_review(record, inventor):
    inventory_fill(actor=inventor, record=record, changes=FULL_FILL)
    inventory_submit(actor=inventor, record=record)
    refuse(lambda: inventory_fill(actor=inventor, record=record, changes={"trl": 9}), record, "invalid_state")


def test_submit_refusals(record, inventor, make_user, university):
    refuse(lambda: inventory_submit(actor=inventor, record=record), record, "invalid_state")  # still 未建档
    inventory_fill(actor=inventor, record=record, changes={"trl": 4})
    err = refuse(lambda: inventory_submit(actor=inventor, record=record), record, "incomplete")
    assert err.field == "fiscal_funded"
    inventory_fill(actor=inventor, record=record, changes={**FULL_FILL, "conversion_modes": []})
    err = refuse(lambda: inventory_submit(actor=inventor, record=record), record, "incomplete")
    assert err.field == "conversion_modes"
    stranger = make_user(Role.INVENTOR, university)
    inventory_fill(actor=inventor, record=record, changes=FULL_FILL)
    refuse(lambda: inventory_submit(actor=stranger, record=record), record, "forbidden", PermissionRefused)
    inventory_submit(actor=inventor, record=record)
    refuse(lambda: inventory_submit(actor=inventor, record=record), record, "invalid_state")


def test_review_refusals(
    record, inventor, college_admin, institution_admin, make_user, university, me, other_admin
):
    refuse(lambda: inventory_approve(actor=college_admin, record=record), record, "invalid_state")
    inventory_fill(actor=inventor, record=record, changes=FULL_FILL)
    refuse(lambda: inventory_approve(actor=college_admin, record=record), record, "invalid_state")
    inventory_submit(actor=inventor, record=record)
    # 学院审核: the institution admin cannot skip the college level; another college's admin may not act
    refuse(
        lambda: inventory_approve(actor=institution_admin, record=record),
        record,
        "forbidden",
        PermissionRefused,
    )
    me_admin = make_user(Role.COLLEGE_ADMIN, university, college=me)
    refuse(lambda: inventory_approve(actor=me_admin, record=record), record, "forbidden", PermissionRefused)
    refuse(
        lambda: inventory_return(actor=me_admin, record=record, reason="x"),
        record,
        "forbidden",
        PermissionRefused,
    )
    refuse(lambda: inventory_approve(actor=inventor, record=record), record, "forbidden", PermissionRefused)
    refuse(lambda: inventory_approve(actor=other_admin, record=record), record, "not_found", NotFound)
    inventory_approve(actor=college_admin, record=record)
    # 学校审核: the college admin has done their part
    refuse(
        lambda: inventory_approve(actor=college_admin, record=record), record, "forbidden", PermissionRefused
    )
    refuse(
        lambda: inventory_return(actor=other_admin, record=record, reason="x"), record, "not_found", NotFound
    )
    inventory_approve(actor=institution_admin, record=record)
    refuse(lambda: inventory_approve(actor=institution_admin, record=record), record, "invalid_state")
    refuse(
        lambda: inventory_return(actor=institution_admin, record=record, reason="晚了"),
        record,
        "invalid_state",
    )


def test_assign_refusals(record, college_admin, institution_admin, other_university):
    foreign_college = other_university.colleges.get(code="CS")
    refuse(
        lambda: inventory_assign(actor=college_admin, record=record, college=None),
        record,
        "forbidden",
        PermissionRefused,
    )
    refuse(
        lambda: inventory_assign(actor=institution_admin, record=record, college=foreign_college),
        record,
        "college",
    )


def test_actions_offered(record, inventor, college_admin, institution_admin):
    assert [a.name for a in permissions.inventory_actions(inventor, record)] == ["fill"]
    inventory_fill(actor=inventor, record=record, changes=FULL_FILL)
    assert [a.name for a in permissions.inventory_actions(inventor, record)] == ["fill", "submit"]
    inventory_submit(actor=inventor, record=record)
    assert permissions.inventory_actions(inventor, record) == []
    assert [a.name for a in permissions.inventory_actions(college_admin, record)] == ["approve", "return"]
    assert permissions.inventory_actions(institution_admin, record) == []


@settings(max_examples=60, deadline=None)
@given(trl=st.one_of(st.integers(-5, 15), st.none()))
def test_trl_accepted_exactly_1_to_9(trl):
    if trl is None or 1 <= trl <= 9:
        assert inventory_validate({"trl": trl}) == {"trl": trl}
    else:
        with pytest.raises(ApplicationError):
            inventory_validate({"trl": trl})


@settings(max_examples=60, deadline=None)
@given(
    modes=st.lists(st.sampled_from(["transfer", "licence", "equity", "self_implementation", "open_licence"]))
)
def test_modes_canonical_and_deduplicated(modes):
    cleaned = inventory_validate({"conversion_modes": modes})["conversion_modes"]
    assert set(cleaned) == set(modes) and len(cleaned) == len(set(modes))
