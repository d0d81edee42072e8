"""Security round 2 (issues 13 and 15): the second factor comes before a password change, a step-up resumes the
interrupted approval, the enrolment QR code is a displayable SVG."""

from __future__ import annotations

import base64
import time
from datetime import date

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP

from conftest import STRONG_PASSWORD
from panhuo.accounts.models import Role, SealedTOTPDevice, User
from panhuo.accounts.otp import confirmed_device

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Tq7!zR4#wNm2"


def _code(user: User) -> str:
    device = SealedTOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_an_admin_cannot_change_the_password_before_the_second_factor(make_user):
    admin = make_user(Role.SECURITY_ADMIN, None)
    client = Client()
    client.post("/accounts/login/", {"username": admin.username, "password": STRONG_PASSWORD})
    client.get("/accounts/otp/")  # enrolled earlier: a confirmed device
    SealedTOTPDevice.objects.filter(user=admin).update(confirmed=True)
    other = Client()
    assert (
        other.post("/accounts/login/", {"username": admin.username, "password": STRONG_PASSWORD}).status_code
        == 302
    )
    page = other.get("/accounts/password/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/otp/")
    change = other.post(
        "/accounts/password/",
        {"old_password": STRONG_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert change.status_code == 302 and change["Location"].startswith("/accounts/otp/")
    assert User.objects.get(pk=admin.pk).check_password(STRONG_PASSWORD)  # unchanged
    assert client.session.exists(client.session.session_key)  # the other session was not killed


def test_a_step_up_before_an_approval_resumes_the_approval(
    institution_admin, make_user, university, enterprise, settings
):
    from engine.identifiers.application_number import check_character
    from panhuo.deals.models import Deal, DealKind, PartyRole
    from panhuo.deals.services import deal_create, income_rule_set
    from panhuo.patents.models import InventoryRecord, LegalStatus, Patent, PatentType

    settings.PANHUO_STEP_UP_APPROVALS = True
    second = make_user(Role.INSTITUTION_ADMIN, university)
    patent = Patent.objects.create(
        app_no=f"201910000001.{check_character('201910000001')}",
        title="一种步进认证测试装置",
        patent_type=PatentType.INVENTION,
        legal_status=LegalStatus.VALID,
        grant_date=date(2021, 5, 4),
        annual_fee_paid_until=date(2099, 1, 1),
    )
    InventoryRecord.objects.create(organization=university, patent=patent)
    income_rule_set(
        actor=institution_admin, institution_bp=3000, inventors_bp=7000, approval_threshold_fen=100_00
    )
    deal = deal_create(
        actor=institution_admin,
        kind=DealKind.TRANSFER,
        title="转让",
        patents=[patent],
        counterparties=[(enterprise, PartyRole.ASSIGNEE)],
        contract_amount_fen=500_000_00,
    )
    assert deal.needs_second_approval
    client = Client()
    client.force_login(second)
    first = client.post(f"/deals/{deal.pk}/approve/", {"note": "已核对合同"})
    assert first.status_code == 302 and first["Location"] == f"/accounts/otp/?next=/deals/{deal.pk}/approve/"
    assert Deal.objects.get(pk=deal.pk).approved_by_id is None
    client.get(first["Location"])
    verified = client.post("/accounts/otp/", {"token": _code(second), "next": f"/deals/{deal.pk}/approve/"})
    assert verified.status_code == 302
    confirm = client.get(verified["Location"])
    body = confirm.content.decode()
    assert confirm.status_code == 200  # not the empty 405 of a redirected POST
    assert f'action="/deals/{deal.pk}/approve/"' in body and 'value="已核对合同"' in body
    done = client.post(f"/deals/{deal.pk}/approve/", {"note": "已核对合同"})
    assert done.status_code == 302
    assert Deal.objects.get(pk=deal.pk).approved_by_id == second.pk
    assert client.get("/accounts/otp/confirm/")["Location"] == "/"  # used once


def test_the_enrolment_qr_code_is_a_standalone_svg(make_user):
    admin = make_user(Role.AUDIT_ADMIN, None)
    client = Client()
    client.post("/accounts/login/", {"username": admin.username, "password": STRONG_PASSWORD})
    body = client.get("/accounts/otp/").content.decode()
    src = body.split('<img src="', 1)[1].split('"', 1)[0]
    assert src.startswith("data:image/svg+xml")
    header, _, payload = src.partition(",")
    if header.endswith(";base64"):
        svg = base64.b64decode(payload).decode()
    else:
        from urllib.parse import unquote

        svg = unquote(payload)
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg.replace("'", '"')
    assert confirmed_device(admin) is None


def test_totp_seeds_are_encrypted_at_rest_and_survive_a_key_rotation(make_user, settings):
    from django.core.management import call_command
    from django.db import connection

    from panhuo.common.fields import field_cipher

    k1, k2 = "11" * 16, "22" * 16
    settings.PANHUO_FIELD_KEYS = f"k1:{k1}"
    field_cipher.cache_clear()
    try:
        admin = make_user(Role.SYSTEM_ADMIN, None)
        client = Client()
        client.post("/accounts/login/", {"username": admin.username, "password": STRONG_PASSWORD})
        secret = (
            client.get("/accounts/otp/").content.decode().split('id="otp-secret">', 1)[1].split("<", 1)[0]
        )
        device = SealedTOTPDevice.objects.get(user=admin)
        seed_hex = base64.b32decode(secret).hex()

        def stored() -> tuple[str, str]:
            with connection.cursor() as cursor:
                cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
                plain_column = cursor.fetchone()[0]
                cursor.execute("SELECT sealed FROM accounts_totpseed WHERE device_id = %s", [device.pk])
                return plain_column, cursor.fetchone()[0]

        plain_column, sealed = stored()
        assert plain_column == "" and sealed.startswith("k1$") and seed_hex not in sealed
        assert secret not in sealed
        assert client.post("/accounts/otp/", {"token": _code(admin)}).status_code == 302

        settings.PANHUO_FIELD_KEYS = f"k2:{k2},k1:{k1}"  # rotation: a new current key, the old one kept
        field_cipher.cache_clear()
        assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key.hex() == seed_hex
        call_command("rewrap_field_keys")
        assert stored()[1].startswith("k2$")
        settings.PANHUO_FIELD_KEYS = f"k2:{k2}"  # the old key retired
        field_cipher.cache_clear()
        assert SealedTOTPDevice.objects.get(pk=device.pk).bin_key.hex() == seed_hex
        other = Client()
        other.post(
            "/accounts/login/",
            {"username": admin.username, "password": STRONG_PASSWORD},
            REMOTE_ADDR="10.0.0.9",
        )
        with time_machine.travel(time.time() + 60, tick=False):  # the next 30-second code
            assert other.post("/accounts/otp/", {"token": _code(admin)}).status_code == 302
    finally:
        field_cipher.cache_clear()
