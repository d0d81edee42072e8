"""Deal fixtures: patents held by the test university, a second staff member, a bank."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from engine.identifiers.application_number import check_character
from panhuo.accounts.models import OrganizationType, Role
from panhuo.patents.models import InventoryRecord, LegalStatus, Patent, PatentType
from panhuo.patents.rights.services import holders_backfill


@pytest.fixture
def make_patent(university):
    counter = {"n": 0}

    def make(holder=None, **kw) -> Patent:
        counter["n"] += 1
        digits = f"2019100{counter['n']:05d}"
        kw.setdefault("app_no", f"{digits}.{check_character(digits)}")
        kw.setdefault("title", f"一种测试装置{counter['n']}")
        kw.setdefault("patent_type", PatentType.INVENTION)
        kw.setdefault("legal_status", LegalStatus.VALID)
        kw.setdefault("grant_date", date(2021, 5, 4))
        kw.setdefault("annual_fee_paid_until", date(2099, 1, 1))
        patent = Patent.objects.create(**kw)
        InventoryRecord.objects.create(organization=holder or university, patent=patent)
        holders_backfill([patent.pk], source="import")  # as an import would register the holder
        return patent

    return make


@pytest.fixture
def patent(make_patent):
    return make_patent()


@pytest.fixture
def second_admin(university, make_user):
    return make_user(Role.INSTITUTION_ADMIN, university, username="second_admin")


@pytest.fixture
def other_admin(other_university, make_user):
    return make_user(Role.INSTITUTION_ADMIN, other_university, username="other_admin")


@pytest.fixture
def bank(make_org):
    return make_org(OrganizationType.BANK, code="BANK-1", name="丁银行")


@pytest.fixture(scope="module")
def restore_audit_trigger(django_db_setup, django_db_blocker):
    """Module scope: torn down after the test's flush, puts the append-only TRUNCATE guard back."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute("ALTER TABLE common_auditevent ENABLE TRIGGER audit_no_truncate")


def lift_audit_truncate_guard() -> None:
    """A transactional test ends with a TRUNCATE of every table, which the append-only audit table refuses."""
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE common_auditevent DISABLE TRIGGER audit_no_truncate")
