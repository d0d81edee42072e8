"""DC-2, DC-4, UP-3, EX-1: 国密 primitives, encrypted personal fields, defusedxml, formula-safe exports."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from panhuo.accounts.models import Role, User
from panhuo.common.crypto import mask_id_number, mask_phone, sm3_hex
from panhuo.common.exports import csv_bytes, safe_cell, xlsx_bytes
from panhuo.common.fields import field_cipher


def test_sm3_known_answer():
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm4_known_answer_gbt32907():
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    # Single-block ECB here only to check the primitive against the standard's vector; never used for data.
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex().startswith("66c7f0f4")


@given(st.text(max_size=200))
def test_field_cipher_round_trip(text):
    token = field_cipher().encrypt(text)
    assert token.startswith(f"{field_cipher().current}$")
    assert field_cipher().decrypt(token) == text


@pytest.mark.django_db
def test_phone_is_encrypted_at_rest_and_masked(university, make_user):
    user = make_user(Role.INVENTOR, university, phone="13812341234")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id=%s", [user.pk])
        raw = cursor.fetchone()[0]
    assert "13812341234" not in raw and raw.startswith(field_cipher().current + "$")
    assert User.objects.get(pk=user.pk).phone == "13812341234"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number("110101199003071234") == "1101**********1234"


def test_openpyxl_uses_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(1)", "\tTAB", "\rCR"]


def test_csv_export_neutralises_formulas():
    text = csv_bytes(["列"], [[p] for p in PAYLOADS]).decode("utf-8-sig")
    cells = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert all(cell.startswith("'") for cell in cells)


def test_xlsx_export_cells_are_text():
    content = xlsx_bytes({"导出": (["列"], [[p] for p in PAYLOADS])})
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" and str(cell.value).startswith("'") for cell in cells)


@given(st.text(max_size=30))
def test_safe_cell_never_starts_with_a_trigger(text):
    """Only a plain negative number (a value, not a formula) may keep its leading minus."""
    out = str(safe_cell(text))
    plain_negative = re.fullmatch(r"-(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?", text) is not None
    assert out == text if plain_negative else not out.startswith(("=", "+", "-", "@", "\t", "\r", "\0"))


@pytest.mark.parametrize("text", ["-123.45", "-1,234.50", "-7", "-0.10"])
def test_a_negative_number_is_a_value_not_a_formula(text):
    """A minus sign and a plain number (an amount from format_fen) is exported as written, with no quote."""
    assert safe_cell(text) == text
    content = xlsx_bytes({"导出": (["金额"], [[text]])})
    cell = openpyxl.load_workbook(io.BytesIO(content)).active["A2"]
    assert (cell.data_type, cell.value) == ("s", text)


@pytest.mark.parametrize("text", ["-1+2", "-123.45+A1", "-1,2", "-1 ", "--1", "-", "-1.2.3", "-١٢٣"])
def test_a_minus_with_anything_else_is_still_quoted(text):
    assert safe_cell(text) == "'" + text


def test_an_exact_amount_stays_a_number_cell():
    """yuan_number's Decimal is a number, like int and float: a money column sums in the spreadsheet."""
    from engine.deals.money import yuan_number

    assert safe_cell(yuan_number(-12345)) == yuan_number(-12345)
    content = xlsx_bytes({"导出": (["金额"], [[yuan_number(123456)], [yuan_number(-5)]])})
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [(c.data_type, c.value) for c in (sheet["A2"], sheet["A3"])] == [("n", 1234.56), ("n", -0.05)]
