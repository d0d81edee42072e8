"""CNIPA 著录项目变更 import: the public record updates the rights record and flags deals that disagree."""

from __future__ import annotations

from datetime import date

import pytest

from panhuo.accounts.models import Role
from panhuo.deals.models import DealEvent, DealKind, LicenceType, PartyRole
from panhuo.deals.services import deal_create
from panhuo.imports.models import ImportReject
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.patents.models import Patent, PatentHolder, RightsEvent

pytestmark = pytest.mark.django_db


def run(tmp_path, org, user, text):
    path = tmp_path / "changes.csv"
    path.write_text(text, encoding="utf-8")
    job = import_job_create(organization=org, kind="rights_changes", path=path, actor=user)
    return import_job_run(job)


def test_a_recorded_change_moves_the_holders_and_flags_the_old_holders_deals(
    tmp_path, institution_admin, university, patent, enterprise, office, make_user
):
    deal = deal_create(
        actor=institution_admin,
        kind=DealKind.LICENCE,
        title="许可",
        patents=[patent],
        counterparties=[(enterprise, PartyRole.LICENSEE)],
        licence_type=LicenceType.ORDINARY,
    )
    official = make_user(Role.OFFICE_OFFICIAL, office)
    job = run(
        tmp_path,
        office,
        official,
        "申请号,变更前权利人,变更后权利人,变更日期\n"
        f"{patent.app_no},甲大学,丙科技有限公司,2025-06-30\n"
        "201999999999.9,甲大学,某公司,2025-06-30\n"
        f"{patent.app_no},甲大学,某公司,2025-13-01\n",
    )
    assert (job.updated, job.rejected) == (1, 2)
    assert sorted(ImportReject.objects.filter(job=job).values_list("line", "code")) == [
        (3, "patent_unknown"),
        (4, "date_format"),
    ]
    holders = list(
        PatentHolder.objects.filter(patent=patent).order_by("id").values_list("organization_id", "active")
    )
    assert holders == [(university.pk, False), (enterprise.pk, True)]
    assert Patent.objects.get(pk=patent.pk).patentees == ["丙科技有限公司"]
    event = RightsEvent.objects.get(patent=patent, action="cnipa_change")
    assert event.before["holders"] == ["甲大学"] and event.after["holders"] == ["丙科技有限公司"]
    flag = DealEvent.objects.get(deal=deal, action="rights_disagree")
    assert "2025-06-30 起专利权人为丙科技有限公司" in flag.comment
    # the former holder can no longer record deals on it
    with pytest.raises(Exception) as err:
        deal_create(actor=institution_admin, kind=DealKind.TRANSFER, title="x", patents=[patent])
    assert getattr(err.value, "code", "") == "rights_not_holder"
    assert date(2025, 6, 30) == PatentHolder.objects.get(organization=university).ended_on
