"""Imports obey the rights record: another holder's patent is never changed by someone else's file.

On f61d24e the second institution's row overwrote the shared record ("incoming non-empty values win"), the job
reported it as inserted and the second institution got a record on the patent: each refusal here failed there.
"""

from __future__ import annotations

import io

import pytest

from engine.identifiers.application_number import check_character
from panhuo.common.errors import NotFound, PermissionRefused
from panhuo.common.models import AuditEvent
from panhuo.imports.models import ImportReject
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.patents.models import InventoryRecord, Patent, PatentHolder, RightsConflict, RightsEvent
from panhuo.patents.rights.services import rights_conflict_resolve

pytestmark = pytest.mark.django_db

HEADER = "申请号,名称,摘要,申请人,专利权人,法律状态,专利类型\n"


def app_no(serial: int) -> str:
    body = f"20191{serial:07d}"
    return f"{body}.{check_character(body)}"


def run(org, text: str, **kw):
    job = import_job_create(
        organization=org, kind="patents", uploaded_file=io.BytesIO(text.encode()), original_name="p.csv", **kw
    )
    return import_job_run(job)


def state():
    return (
        list(
            Patent.objects.order_by("id").values_list(
                "title", "abstract", "applicants", "patentees", "legal_status"
            )
        ),
        list(InventoryRecord.objects.order_by("id").values_list("organization_id", "patent_id", "state")),
        list(PatentHolder.objects.order_by("id").values_list("organization_id", "patent_id", "active")),
    )


def test_new_patents_are_held_by_the_importer(university):
    job = run(university, HEADER + f"{app_no(1)},一种装置,,甲大学,甲大学,有效,发明\n")
    assert job.inserted == 1
    assert list(PatentHolder.objects.values_list("organization_id", "name", "source", "active")) == [
        (university.pk, "甲大学", "import", True)
    ]


def test_another_institution_cannot_overwrite_a_held_patent(university, other_university):
    run(university, HEADER + f"{app_no(2)},一种装置,原摘要,甲大学,甲大学,有效,发明\n")
    before = state()
    job = run(other_university, HEADER + f"{app_no(2)},乙改的名称,乙的摘要,乙大学,乙大学,被宣告无效,发明\n")
    assert (job.inserted, job.updated, job.unchanged, job.rejected) == (0, 0, 0, 1)
    reject = ImportReject.objects.get(job=job)
    assert reject.code == "rights_held_by_other" and "权利人是甲大学" in reject.message_zh
    assert state() == before
    # an identical row is refused too: it would give the other institution a record on the patent
    job = run(other_university, HEADER + f"{app_no(2)},一种装置,原摘要,甲大学,甲大学,有效,发明\n")
    assert job.rejected == 1 and state() == before
    assert not AuditEvent.objects.filter(action="patent.fields_change").exists()


def test_a_named_co_holder_fills_gaps_and_disagreements_go_to_the_holders_review_list(
    university, other_university, institution_admin, make_user
):
    run(university, HEADER + f"{app_no(3)},一种装置,,甲大学;乙大学,甲大学;乙大学,有效,发明\n")
    job = run(
        other_university,
        HEADER + f"{app_no(3)},乙的名称,补充的摘要,甲大学;乙大学,甲大学;乙大学,被宣告无效,发明\n",
    )
    assert (job.inserted, job.updated, job.rejected) == (1, 0, 0)  # its own 建档 record is new
    p = Patent.objects.get()
    # the empty abstract was filled; the title and the legal status stayed the holder's
    assert (p.title, p.abstract, p.legal_status) == ("一种装置", "补充的摘要", "valid")
    assert set(PatentHolder.objects.filter(active=True).values_list("organization_id", flat=True)) == {
        university.pk,
        other_university.pk,
    }
    assert RightsEvent.objects.filter(action="holder_add", organization=other_university).count() == 1
    conflicts = list(
        RightsConflict.objects.order_by("field").values_list("field", "stored", "incoming", "holder_id")
    )
    assert conflicts == [
        ("legal_status", "valid", "invalidated", university.pk),
        ("title", "一种装置", "乙的名称", university.pk),
    ]
    audit = AuditEvent.objects.get(action="patent.fields_change")
    assert audit.detail["before"] == {"abstract": ""} and audit.detail["after"] == {"abstract": "补充的摘要"}
    # the holder's administrator decides; the importer cannot
    other_admin = make_user("institution_admin", other_university)
    title = RightsConflict.objects.get(field="title")
    with pytest.raises((NotFound, PermissionRefused)):
        rights_conflict_resolve(actor=other_admin, conflict_id=title.pk, accept=True)
    rights_conflict_resolve(actor=institution_admin, conflict_id=title.pk, accept=True)
    status = RightsConflict.objects.get(field="legal_status")
    rights_conflict_resolve(actor=institution_admin, conflict_id=status.pk, accept=False)
    p.refresh_from_db()
    assert (p.title, p.legal_status) == ("乙的名称", "valid")
    assert AuditEvent.objects.filter(action="rights.conflict_resolve").count() == 2


def test_the_review_list_page_is_the_holders_admins_only(
    client, university, other_university, institution_admin, make_user
):
    run(university, HEADER + f"{app_no(4)},一种装置,,甲大学;乙大学,甲大学;乙大学,有效,发明\n")
    run(other_university, HEADER + f"{app_no(4)},乙的名称,,甲大学;乙大学,甲大学;乙大学,被宣告无效,发明\n")
    client.force_login(institution_admin)
    body = client.get("/patents/rights/conflicts/").content.decode()
    assert "法律状态" in body and "被宣告无效" in body and "乙的名称" in body and "invalidated" not in body
    status = RightsConflict.objects.get(field="legal_status")
    client.post("/patents/rights/conflicts/", {"conflict": status.pk, "decision": "keep"})
    assert RightsConflict.objects.get(pk=status.pk).status == "rejected"
    client.force_login(make_user("institution_admin", other_university))
    assert "乙的名称" not in client.get("/patents/rights/conflicts/").content.decode()
    client.post(
        "/patents/rights/conflicts/",
        {"conflict": RightsConflict.objects.get(field="title").pk, "decision": "accept"},
    )
    assert Patent.objects.get().title == "一种装置"
