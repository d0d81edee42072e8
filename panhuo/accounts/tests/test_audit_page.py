"""The audit page reads in words, and an empty filter says so instead of showing a blank table."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from panhuo.accounts.models import Role
from panhuo.common.audit import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client, make_user):
    auditor = make_user(Role.AUDIT_ADMIN, None)
    device = TOTPDevice.objects.create(user=auditor, name="default", confirmed=True)
    client.force_login(auditor)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_actions_and_objects_in_words_and_an_empty_result_explained(auditor_client, office):
    audit_record("kpi.indicator_manual", obj=office, detail={})
    page = auditor_client.get(reverse("accounts:audit"), {"action": "kpi."}).content.decode()
    assert (
        "考核指标手工填报" in page
        and "kpi.indicator_manual" not in page
        and "accounts.Organization" not in page
    )
    empty = auditor_client.get(reverse("accounts:audit"), {"action": "nothing.like.this"})
    assert empty.status_code == 200 and 'id="audit-empty"' in empty.content.decode()


def test_audit_csv_times_are_local_like_the_page(auditor_client, office):
    audit_record("kpi.indicator_manual", obj=office, detail={})
    rows = auditor_client.get(reverse("accounts:audit-export"), {"action": "kpi."}).content.decode(
        "utf-8-sig"
    )
    header, first = rows.splitlines()[:2]
    assert header.split(",")[1] == "时间" and first.split(",")[1].endswith("+08:00")
    assert "考核指标手工填报" in first
