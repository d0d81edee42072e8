"""Deals obey the rights record: only the holder records deals; transfers move the holder; exclusivity is locked.

Each cross-tenant case here passed on f61d24e (the deal was recorded): the holder check did not exist.
"""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.urls import reverse

from panhuo.common.errors import ApplicationError
from panhuo.deals.models import Deal, DealKind, DealState, LicenceType, PartyRole
from panhuo.deals.services import deal_advance, deal_create, filing_record
from panhuo.deals.tests.conftest import lift_audit_truncate_guard
from panhuo.deals.tests.test_lifecycle import licence
from panhuo.imports.models import ImportReject
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.patents.models import (
    InventoryRecord,
    InventoryState,
    Patent,
    PatentHolder,
    RightsEvent,
    RightsGrant,
)

pytestmark = pytest.mark.django_db


def transfer(actor, patent, buyer, **kw):
    return deal_create(
        actor=actor,
        kind=DealKind.TRANSFER,
        title="转让",
        patents=[patent],
        counterparties=[(buyer, PartyRole.ASSIGNEE)],
        contract_amount_fen=100,
        **kw,
    )


def snapshot(patent):
    p = Patent.objects.get(pk=patent.pk)
    return (
        Deal.objects.count(),
        RightsGrant.objects.count(),
        list(PatentHolder.objects.filter(active=True).values_list("patent_id", "organization_id")),
        p.patentees,
        list(InventoryRecord.objects.values_list("organization_id", "state", "converted")),
    )


def test_other_institution_cannot_record_a_deal_on_a_held_patent(other_admin, patent, enterprise):
    before = snapshot(patent)
    for kind, extra in (
        (DealKind.TRANSFER, {}),
        (DealKind.LICENCE, {"licence_type": LicenceType.EXCLUSIVE}),
        (DealKind.PLEDGE, {}),
        (DealKind.EQUITY, {}),
    ):
        with pytest.raises(ApplicationError) as err:
            deal_create(
                actor=other_admin, kind=kind, title="x", patents=[patent], state=DealState.SIGNED, **extra
            )
        assert err.value.code == "rights_not_holder"
        assert "乙大学不是以下专利的权利人" in err.value.message_zh and "甲大学" in err.value.message_zh
    assert snapshot(patent) == before


def test_web_form_and_api_refuse_a_non_holder(client, other_admin, patent):
    before = snapshot(patent)
    client.force_login(other_admin)
    r = client.post(
        reverse("deals:new"),
        {
            "kind": "transfer",
            "title": "冒名转让",
            "patents": patent.app_no,
            "party_name": "新公司",
            "contract_amount": "1",
        },
    )
    # refused on the same form (400, input kept) with the rights record's reason
    assert r.status_code == 400 and "不是以下专利的权利人" in r.content.decode()
    r = client.post(
        "/api/deals/deals",
        json.dumps(
            {
                "kind": "transfer",
                "title": "x",
                "patents": [patent.app_no],
                "parties": [{"name": "新公司", "role": "assignee"}],
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "rights_not_holder"
    assert snapshot(patent) == before


def test_import_deals_refuses_rows_on_another_holders_patent(tmp_path, other_university, patent):
    before = snapshot(patent)
    path = tmp_path / "deals.csv"
    path.write_text(
        "申请号,交易类型,许可类型,让与人,受让人,受让人统一社会信用代码,合同日期,备案日期,合同金额（元）,到账金额（元）,备案号\n"
        f"{patent.app_no},转让,,乙大学,某公司,,2024-03-01,2024-04-15,1,,ZR-X1\n",
        encoding="utf-8",
    )
    job = import_job_run(import_job_create(organization=other_university, kind="deals", path=path))
    assert (job.inserted, job.rejected) == (0, 1)
    reject = ImportReject.objects.get(job=job)
    assert reject.code == "rights_not_holder" and "不是以下专利的权利人" in reject.message_zh
    assert snapshot(patent) == before


def test_completed_transfer_moves_holder_and_leaves_the_pool(
    institution_admin, university, patent, enterprise
):
    InventoryRecord.objects.filter(patent=patent).update(state=InventoryState.POOLED)
    deal = transfer(institution_admin, patent, enterprise)
    deal_advance(deal_id=deal.pk, actor=institution_admin, target=DealState.SIGNED)
    # a second transfer cannot be signed while the first is pending
    second = transfer(institution_admin, patent, enterprise)
    with pytest.raises(ApplicationError) as err:
        deal_advance(deal_id=second.pk, actor=institution_admin, target=DealState.SIGNED)
    assert err.value.code == "rights_transfer_pending"
    filing_record(
        deal_id=deal.pk, actor=institution_admin, kind="transfer_reg", number="ZR1", filed_on=date(2025, 3, 1)
    )
    for target in (DealState.FILED, DealState.PERFORMING, DealState.COMPLETED):
        deal_advance(deal_id=deal.pk, actor=institution_admin, target=target)
    holders = list(
        PatentHolder.objects.filter(patent=patent).values_list("organization_id", "active", "ended_on")
    )
    assert holders == [(university.pk, False, date(2025, 3, 1)), (enterprise.pk, True, None)]
    assert Patent.objects.get(pk=patent.pk).patentees == [enterprise.name]
    record = InventoryRecord.objects.get(patent=patent)
    assert (record.state, record.converted) == (InventoryState.TRANSFERRED, True)
    assert list(RightsEvent.objects.filter(patent=patent).values_list("action", flat=True)) == [
        "grant",
        "transfer",
    ]
    # the former holder can neither transfer nor license it again
    with pytest.raises(ApplicationError) as err:
        transfer(institution_admin, patent, enterprise)
    assert err.value.code == "rights_not_holder"
    assert Deal.objects.get(pk=second.pk).state == DealState.INTENT


def test_exclusive_conflict_message_hides_another_tenants_deal_code(
    institution_admin, university, patent, enterprise
):
    own = licence(institution_admin, patent, enterprise, state=DealState.SIGNED)
    with pytest.raises(ApplicationError) as err:
        licence(institution_admin, patent, enterprise, LicenceType.SOLE, state=DealState.SIGNED)
    assert err.value.code == "exclusive_conflict" and own.code in err.value.message_zh
    assert Deal.objects.count() == 1


def test_terminating_releases_the_grant(institution_admin, patent, enterprise):
    first = licence(institution_admin, patent, enterprise, state=DealState.SIGNED)
    deal_advance(deal_id=first.pk, actor=institution_admin, target=DealState.TERMINATED, comment="解除")
    assert not RightsGrant.objects.filter(active=True).exists()
    licence(institution_admin, patent, enterprise, state=DealState.SIGNED)
    assert RightsGrant.objects.filter(active=True).count() == 1


def test_database_refuses_a_second_live_exclusive_grant(patent, university):
    from django.db import IntegrityError, transaction

    RightsGrant.objects.create(patent=patent, kind="exclusive", grantor=university)
    with pytest.raises(IntegrityError), transaction.atomic():
        RightsGrant.objects.create(patent=patent, kind="sole", grantor=university)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers: no race to run")
@pytest.mark.parametrize("kind", ["exclusive", "transfer"])
def test_two_racing_deals_exactly_one_wins(
    restore_audit_trigger, kind, institution_admin, second_admin, make_patent, enterprise, make_org
):
    try:
        _race(kind, institution_admin, second_admin, make_patent, enterprise, make_org)
    finally:
        lift_audit_truncate_guard()


def _race(kind, institution_admin, second_admin, make_patent, enterprise, make_org):
    patent = make_patent()
    other = make_org("enterprise", code="ENT-RACE", name="竞速公司")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(actor, buyer):
        try:
            barrier.wait(timeout=10)
            if kind == "transfer":
                transfer(actor, patent, buyer, state=DealState.SIGNED)
            else:
                licence(actor, patent, buyer, state=DealState.SIGNED)
            outcomes.append("won")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=(institution_admin, enterprise)),
        threading.Thread(target=attempt, args=(second_admin, other)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    expected = "rights_transfer_pending" if kind == "transfer" else "exclusive_conflict"
    assert sorted(outcomes) == sorted(["won", expected])
    assert Deal.objects.filter(state=DealState.SIGNED).count() == 1
    assert RightsGrant.objects.filter(active=True).count() == 1


def pledge(actor, patent, bank, **kw):
    return deal_create(
        actor=actor,
        kind=DealKind.PLEDGE,
        title="质押融资",
        patents=[patent],
        counterparties=[(bank, PartyRole.PLEDGEE)],
        contract_amount_fen=5_000_000_00,
        term_start=date(2025, 1, 1),
        term_end=date(2099, 12, 31),
        **kw,
    )


def test_rights_record_refuses_a_second_pledge_in_term(institution_admin, patent, make_org):
    """专利权质押登记办法（国家知识产权局公告第四六一号）: a patent pledged and in its pledge term is not pledged
    again. Recorded as a plain deal (the form, the API, an import), not only through a bank's loan."""
    bank, second_bank = make_org("bank", code="BANK-1"), make_org("bank", code="BANK-2")
    first = pledge(institution_admin, patent, bank, state=DealState.SIGNED)
    with pytest.raises(ApplicationError) as err:
        pledge(institution_admin, patent, second_bank, state=DealState.SIGNED)
    assert err.value.code == "rights_pledged" and "质押期间" in err.value.message_zh
    assert list(RightsGrant.objects.filter(active=True).values_list("deal_id", "kind")) == [
        (first.pk, "pledge")
    ]
    deal_advance(deal_id=first.pk, actor=institution_admin, target=DealState.TERMINATED, comment="解押")
    assert pledge(institution_admin, patent, second_bank, state=DealState.SIGNED).state == DealState.SIGNED


def test_database_refuses_a_second_live_pledge(patent, university):
    from django.db import IntegrityError, transaction

    RightsGrant.objects.create(patent=patent, kind="pledge", grantor=university)
    with pytest.raises(IntegrityError), transaction.atomic():
        RightsGrant.objects.create(patent=patent, kind="pledge", grantor=university)
