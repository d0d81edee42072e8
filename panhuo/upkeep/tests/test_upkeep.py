"""Value facts and annual fees by the holder (form, API, import), the 财政资助 five-year flag; other tenants refused."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client

from engine.identifiers.application_number import check_character
from panhuo.accounts.models import Role
from panhuo.common.errors import ApplicationError, NotFound
from panhuo.common.models import AuditEvent
from panhuo.imports.models import ImportReject, ImportStatus
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.patents.activity import activity_bump, activity_of
from panhuo.patents.models import InventoryRecord, LegalStatus, Patent
from panhuo.upkeep import selectors, services
from panhuo.upkeep.models import AnnualFeePayment

pytestmark = pytest.mark.django_db
TODAY = date.today()


def key(body: str) -> str:
    return f"{body}.{check_character(body)}"


@pytest.fixture
def patent(university):
    p = Patent.objects.create(
        app_no=key("201810123456"),
        patent_type="invention",
        title="一种传感器",
        application_date=date(2018, 3, 10),
        grant_date=TODAY.replace(year=TODAY.year - 6),
        legal_status=LegalStatus.VALID,
    )
    InventoryRecord.objects.create(
        organization=university, patent=p, college=university.colleges.get(code="CS"), fiscal_funded=True
    )
    return p


@pytest.fixture
def stranger(other_university, make_user):
    return make_user(Role.INSTITUTION_ADMIN, other_university)


def facts(**kw):
    args = dict(
        family_size=3,
        overseas_granted=True,
        claims_count=10,
        independent_claims_count=2,
        citations_forward=4,
        citations_backward=9,
        award="第二十四届中国专利奖优秀奖",
        ownership_dispute=False,
    )
    args.update(kw)
    return services.facts_validate(**args)


def test_facts_update_feeds_scoring_fields_and_dispute_flag(patent, institution_admin):
    assert services.patent_facts_update(
        actor=institution_admin, patent=patent, facts=facts(ownership_dispute=True)
    )
    patent.refresh_from_db()
    assert (patent.family_size, patent.overseas_granted, patent.claims_count, patent.award) == (
        3,
        True,
        10,
        "第二十四届中国专利奖优秀奖",
    )
    assert activity_of(patent.pk).ownership_dispute is True
    n = AuditEvent.objects.filter(action="patent.facts_update").count()
    assert (
        services.patent_facts_update(
            actor=institution_admin, patent=patent, facts=facts(ownership_dispute=True)
        )
        is False
    )
    assert AuditEvent.objects.filter(action="patent.facts_update").count() == n


def test_facts_errors_all_at_once():
    with pytest.raises(ApplicationError) as caught:
        facts(family_size=1, claims_count=2, independent_claims_count=3, citations_forward=-1)
    assert [e.field for e in caught.value.errors] == [
        "citations_forward",
        "independent_claims_count",
        "family_size",
    ]


def test_other_institution_and_inventor_cannot_write(patent, stranger, inventor):
    for actor in (stranger, inventor):
        with pytest.raises(NotFound):
            services.patent_facts_update(actor=actor, patent=patent, facts=facts())
        with pytest.raises(NotFound):
            services.annual_fee_record(
                actor=actor, patent=patent, patent_year=8, paid_on=TODAY, amount_yuan="2000"
            )
    patent.refresh_from_db()
    assert patent.family_size is None and patent.annual_fee_paid_until is None
    assert AnnualFeePayment.objects.count() == 0


def test_annual_fee_moves_paid_until_forward_only(patent, college_admin):
    services.annual_fee_record(
        actor=college_admin, patent=patent, patent_year=9, paid_on=TODAY, amount_yuan="2,000"
    )
    patent.refresh_from_db()
    assert patent.annual_fee_paid_until == date(2027, 3, 9)
    services.annual_fee_record(
        actor=college_admin, patent=patent, patent_year=8, paid_on=TODAY, amount_yuan="2000"
    )
    patent.refresh_from_db()
    assert patent.annual_fee_paid_until == date(2027, 3, 9)  # an older year never moves it back
    with pytest.raises(ApplicationError) as caught:
        services.annual_fee_record(
            actor=college_admin, patent=patent, patent_year=9, paid_on=TODAY, amount_yuan="1"
        )
    assert caught.value.code == "fee_year_recorded"
    with pytest.raises(ApplicationError) as caught:
        services.annual_fee_record(
            actor=college_admin,
            patent=patent,
            patent_year=21,
            paid_on=TODAY + timedelta(days=1),
            amount_yuan="x",
        )
    assert [e.field for e in caught.value.errors] == ["patent_year", "paid_on", "amount"]
    assert AnnualFeePayment.objects.count() == 2


def test_fiscal_unused_flag(patent, university, institution_admin, stranger):
    assert [r.record.patent_id for r in selectors.fiscal_unused(institution_admin, today=TODAY)] == [
        patent.pk
    ]
    assert selectors.fiscal_unused(institution_admin, today=TODAY)[0].years_since_grant == 6
    assert selectors.fiscal_unused(stranger, today=TODAY) == []
    assert selectors.fiscal_unused_count(today=TODAY, institution_id=university.pk) == 1
    # a licence is a use
    activity_bump(patent_id=patent.pk, licences=1)
    assert selectors.fiscal_unused(institution_admin, today=TODAY) == []
    activity_bump(patent_id=patent.pk, licences=-1)
    # granted four years ago: not yet
    patent.grant_date = TODAY.replace(year=TODAY.year - 4)
    patent.save()
    assert selectors.fiscal_unused(institution_admin, today=TODAY) == []


def test_pages_and_api(patent, institution_admin, stranger):
    c = Client()
    c.force_login(institution_admin)
    assert c.get(f"/upkeep/patents/{patent.pk}/panel/").status_code == 200
    r = c.post(
        f"/upkeep/patents/{patent.pk}/facts/",
        {
            "family_size": "1",
            "overseas_granted": "yes",
            "ownership_dispute": "no",
            "claims_count": "5",
            "independent_claims_count": "6",
        },
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "独立权利要求数不能多于权利要求数" in page and "有海外授权同族时同族数至少为 2" in page
    r = c.post(
        f"/upkeep/patents/{patent.pk}/fees/",
        {"patent_year": "9", "paid_on": TODAY.isoformat(), "amount": "2,000"},
    )
    assert r.status_code == 302
    r = c.put(
        f"/api/upkeep/patents/{patent.pk}/facts",
        json.dumps({"family_size": 2, "overseas_granted": True}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["overseas_granted"] is True
    fees = c.get(f"/api/upkeep/patents/{patent.pk}/annual-fees").json()
    assert fees["annual_fee_paid_until"] == "2027-03-09" and fees["payments"][0]["amount_yuan"] == "2,000.00"
    assert "一种传感器" in c.get("/upkeep/fiscal-unused/").content.decode()
    assert "实施记录的有效专利 <strong>1</strong> 件" in c.get("/monitoring/").content.decode()
    s = Client()
    s.force_login(stranger)
    assert s.get(f"/upkeep/patents/{patent.pk}/panel/").status_code == 404
    assert s.get(f"/api/upkeep/patents/{patent.pk}/facts").status_code == 404
    r = s.post(
        f"/api/upkeep/patents/{patent.pk}/annual-fees",
        json.dumps({"patent_year": 10, "paid_on": TODAY.isoformat(), "amount_yuan": "1"}),
        content_type="application/json",
    )
    assert r.status_code == 404 and AnnualFeePayment.objects.count() == 1


def test_import(patent, university, institution_admin, tmp_path: Path):
    header = "申请号,同族数,海外授权同族,权利要求数,独立权利要求数,被引次数,引用次数,获奖,权属纠纷,年费年度,缴费日期,年费金额（元）"
    lines = [
        f'CN{patent.app_no},4,是,12,2,,,中国专利奖银奖,否,9,{TODAY.isoformat()},"2,000.00"',
        f"{key('201910999999')},2,否,,,,,,,,,",
        f"{patent.app_no},x,也许,,,,,,,,,",
    ]
    path = tmp_path / "facts.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")

    def run():
        job = import_job_create(
            organization=university, kind="patent_facts", path=path, actor=institution_admin
        )
        return import_job_run(job)

    job = run()
    assert job.status == ImportStatus.DONE
    assert (job.inserted, job.updated, job.unchanged, job.rejected) == (0, 1, 0, 2)
    assert sorted(ImportReject.objects.filter(job=job).values_list("line", "code")) == [
        (3, "not_in_inventory"),
        (4, "bool_format"),
        (4, "int_format"),
    ]
    patent.refresh_from_db()
    assert (patent.family_size, patent.overseas_granted, patent.award) == (4, True, "中国专利奖银奖")
    assert patent.annual_fee_paid_until == date(2027, 3, 9)
    again = run()
    assert (again.updated, again.unchanged, again.rejected) == (0, 1, 2)


def test_command(patent):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "fiscal_unused",
        "--institution",
        patent.inventory_records.get().organization.code,
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["count"] == 1


def test_out_of_range_id_is_not_found(institution_admin):
    """schemathesis sent 2**63: a 500 before the range check."""
    with pytest.raises(NotFound):
        services.holder_record(institution_admin, 2**63)


def test_open_licence_bars_read_what_the_holder_entered(patent, institution_admin):
    """年费缴至 and 权属纠纷 entered here are what the open-licence check (实施细则 Art. 86) decides on."""
    from engine.deals.open_licence import DeclarationFacts, declaration_refusals

    def codes() -> set[str]:
        patent.refresh_from_db()
        facts = DeclarationFacts(
            patent_type="invention",
            granted=True,
            annual_fee_paid_until=patent.annual_fee_paid_until,
            today=date(2026, 6, 1),
            exclusive_licence_in_term=False,
            pledged_without_consent=False,
            ownership_dispute=activity_of(patent.pk).ownership_dispute,
            evaluation_report=True,
            payment_method="one_off",
            fixed_fee_fen=100,
            entry_fee_fen=None,
            royalty_sales_bp=None,
            royalty_profit_bp=None,
            term_start=date(2026, 7, 1),
            term_end=date(2028, 7, 1),
        )
        return {r.code for r in declaration_refusals(facts)}

    Patent.objects.filter(pk=patent.pk).update(annual_fee_paid_until=date(2026, 3, 9))  # year 8 paid
    assert "ol_annual_fee_unpaid" in codes()
    services.annual_fee_record(
        actor=institution_admin, patent=patent, patent_year=9, paid_on=TODAY, amount_yuan="2000"
    )
    assert "ol_annual_fee_unpaid" not in codes()
    services.patent_facts_update(actor=institution_admin, patent=patent, facts=facts(ownership_dispute=True))
    assert "ol_ownership_dispute" in codes()
