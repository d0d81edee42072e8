"""B-1/B-2 (CI size): every parser of user input answers arbitrary input with a value or its documented,
explained refusal — never another exception. Nightly runs raise max_examples (HYPOTHESIS_PROFILE=nightly)."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engine.classification.ipc import IpcError, parse_ipc
from engine.classification.rules import parse_pattern
from engine.deals.money import MoneyError, parse_yuan
from engine.identifiers.application_number import (
    NumberError,
    normalise_application_number,
    normalise_publication_number,
)
from engine.identifiers.credit_code import CreditCodeError, normalise_credit_code
from panhuo.common.errors import ApplicationError
from tests.security.fuzzing import fuzz

NUMBERISH = st.text(alphabet="0123456789.XxCNZLcnzl -．０１２３４５６７８９", max_size=20)


@fuzz
@given(st.one_of(st.text(max_size=40), NUMBERISH))
def test_application_number(raw):
    try:
        key = normalise_application_number(raw)
    except NumberError as err:
        assert err.message_zh and err.message_en
    else:
        assert normalise_application_number(key) == key


@fuzz
@given(st.text(max_size=30))
def test_publication_number(raw):
    try:
        number, kind = normalise_publication_number(raw)
    except NumberError:
        return
    assert number.startswith("CN") and len(kind) <= 2


@fuzz
@given(st.text(max_size=24))
def test_credit_code(raw):
    try:
        code = normalise_credit_code(raw)
    except CreditCodeError as err:
        assert err.message_zh
    else:
        assert len(code) == 18


@fuzz
@given(st.one_of(st.text(max_size=30), st.text(alphabet="ABCDEFGH0123456789/ *%", max_size=16)))
def test_ipc_code_and_concordance_pattern(raw):
    for parse in (parse_ipc, parse_pattern):
        try:
            parse(raw)
        except IpcError as err:
            assert err.message_zh


@fuzz
@given(st.one_of(st.text(max_size=30), st.text(alphabet="0123456789,.-¥￥元 ", max_size=20)))
def test_money(raw):
    try:
        fen = parse_yuan(raw)
    except MoneyError as err:
        assert err.message_zh
    else:
        assert 0 <= fen


def _consume(path: Path, name: str) -> None:
    from panhuo.imports.readers import iter_rows, sniff
    from panhuo.imports.registry import get_handler

    columns = get_handler("patents").columns
    try:
        info = sniff(path, name)
        for _ in iter_rows(path, info, columns):
            pass
    except ApplicationError as err:
        assert err.message_zh and err.message_en


@pytest.mark.django_db
@fuzz
@given(st.binary(max_size=4000), st.sampled_from(["x.csv", "x.xlsx", "x.txt", "x.xlsm"]))
def test_import_readers_on_arbitrary_bytes(tmp_path_factory, data, name):
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(data)
    _consume(path, name)


@pytest.mark.django_db
@fuzz
@given(st.lists(st.tuples(st.text(min_size=1, max_size=30), st.binary(max_size=2000)), max_size=5))
def test_xlsx_reader_on_arbitrary_zip_archives(tmp_path_factory, members):
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
            warnings.simplefilter("ignore")  # duplicate member names are part of the hostile input
            for member, content in members:
                archive.writestr(member, content)
    except (IndexError, ValueError):
        assume(False)  # a member name Python's zipfile itself cannot write: not an input we can build
    path = tmp_path_factory.mktemp("fuzz") / "x.xlsx"
    path.write_bytes(buffer.getvalue())
    _consume(path, "x.xlsx")


@pytest.mark.django_db
@fuzz
@given(
    st.lists(st.lists(st.text(max_size=12), max_size=8), max_size=12),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_csv_reader_on_arbitrary_tables(tmp_path_factory, rows, encoding):
    import csv

    text = io.StringIO()
    csv.writer(text).writerows([["申请号", "名称", "专利类型"], *rows])
    path = tmp_path_factory.mktemp("fuzz") / "x.csv"
    try:
        path.write_bytes(text.getvalue().encode(encoding))
    except UnicodeEncodeError:
        return
    _consume(path, "x.csv")
