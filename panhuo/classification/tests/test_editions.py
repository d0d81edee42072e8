import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from engine.classification.ipc import IpcError
from panhuo.classification.classifier import classify_codes
from panhuo.classification.models import ConcordanceEdition, ConcordanceRule
from panhuo.classification.services import edition_activate, edition_import
from panhuo.common.errors import ApplicationError

CSV = """行业代码,行业名称,IPC,关键词,排除关键词
C,制造业,,,
3841,锂离子电池制造,H01M10/0525*、H01M4*(不含H01M4/86*),,
,,H01M50*,,
9999,不存在,G06N*,,
3612,新能源车整车制造,B60L*,电动、新能源,燃料汽车
6513,应用软件开发,G06N3/AB,,
6513,应用软件开发,G06N3/08,,
3972,半导体分立器件制造,H10F*,,
"""


def _import(content: str = CSV, filename: str = "official.csv") -> object:
    return edition_import(filename=filename, content=content.encode(), target="gbt4754", name="官方表 2018")


@pytest.mark.django_db
def test_derived_is_used_until_an_official_table_is_imported(small_reference: None) -> None:
    before = classify_codes(["G06N 3/08"])
    assert before.industry_derived is True
    assert [(h.code, h.confidence) for h in before.industries] == [
        ("6513", 0.6)
    ]  # main group covers subgroups
    assert [h.code for h in before.sei] == ["1.5"]

    outcome = _import()
    assert outcome.edition is not None
    assert outcome.rules == 6
    assert [(e.row, e.field, e.value) for e in outcome.errors] == [
        (5, "行业代码", "9999"),
        (7, "IPC", "G06N3/AB"),
    ]
    assert all(e.message_zh and e.message_en for e in outcome.errors)
    derived = ConcordanceEdition.objects.get(key="derived-gbt4754")
    assert derived.active is False
    assert outcome.edition.active is True

    after = classify_codes(["G06N3/08"])
    assert after.industry_derived is False
    assert [(h.code, h.confidence) for h in after.industries] == [("6513", 1.0)]


@pytest.mark.django_db
def test_official_rules_semantics(small_reference: None) -> None:
    _import()
    assert [h.code for h in classify_codes(["H01M10/0525"]).industries] == ["3841"]
    assert [h.code for h in classify_codes(["H01M4/00"]).industries] == ["3841"]
    assert classify_codes(["H01M4/86"]).industries == []  # excluded by "(不含H01M4/86*)"
    assert [h.code for h in classify_codes(["H01M50/10"]).industries] == ["3841"]  # continuation row
    assert [h.code for h in classify_codes(["B60L53/00"], "电动汽车充电").industries] == ["3612"]
    assert classify_codes(["B60L53/00"], "燃料汽车充电").industries == []
    assert classify_codes(["B60L53/00"], "车辆").industries == []


@pytest.mark.django_db
def test_historic_h01l_code_stays_classifiable(small_reference: None) -> None:
    c = classify_codes(["H01L31/18"])
    assert c.revised[0].historic is True
    assert c.revised[0].current == "H10F"
    assert [h.code for h in c.industries] == ["3825"]  # derived, via the H10F subclass
    _import()
    c = classify_codes(["H01L 31/18"])
    assert [h.code for h in c.industries] == ["3972"]


@pytest.mark.django_db
def test_invalid_codes_are_reported(small_reference: None) -> None:
    with pytest.raises(IpcError) as err:
        classify_codes(["G06N3/08", "X12"])
    assert err.value.message_en == "malformed IPC code: X12"


@pytest.mark.django_db
def test_import_without_valid_rows_stores_nothing(small_reference: None) -> None:
    editions = ConcordanceEdition.objects.count()
    rules = ConcordanceRule.objects.count()
    outcome = _import("行业代码,行业名称,IPC\n9999,x,G06N*\n3841,锂离子电池制造,H01M10/AB\n")
    assert outcome.edition is None
    assert [(e.row, e.field) for e in outcome.errors] == [(2, "行业代码"), (3, "IPC")]
    assert ConcordanceEdition.objects.count() == editions
    assert ConcordanceRule.objects.count() == rules
    assert ConcordanceEdition.objects.get(key="derived-gbt4754").active is True


@pytest.mark.django_db
def test_import_refuses_missing_columns_and_bad_files(small_reference: None) -> None:
    editions = ConcordanceEdition.objects.count()
    with pytest.raises(ApplicationError) as err:
        _import("代码名,名称\n3841,x\n")
    assert err.value.code == "columns_missing"
    with pytest.raises(ApplicationError) as err:
        edition_import(filename="a.pdf", content=b"%PDF", target="gbt4754", name="x")
    assert err.value.code == "file_type"
    with pytest.raises(ApplicationError):
        edition_import(filename="a.xlsx", content=b"not a zip", target="gbt4754", name="x")
    assert ConcordanceEdition.objects.count() == editions


@pytest.mark.django_db
def test_xlsx_import_and_switching_back_to_derived(small_reference: None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["行业代码", "行业名称", "参照IPC"])
    ws.append(["3841", "锂离子电池制造", "H01M*"])
    buf = io.BytesIO()
    wb.save(buf)
    outcome = edition_import(
        filename="t.xlsx", content=buf.getvalue(), target="gbt4754", name="官方 XLSX", key="x1"
    )
    assert outcome.rules == 1 and outcome.errors == []
    assert classify_codes(["H01M4/86"]).industry_edition == "x1"
    edition_activate(key="derived-gbt4754")
    c = classify_codes(["H01M10/0525"])
    assert (c.industry_edition, c.industry_derived) == ("derived-gbt4754", True)


@pytest.mark.django_db
def test_classify_cli_json_shape(small_reference: None) -> None:
    out = io.StringIO()
    call_command("classify", "--ipc", "g06n 3/08", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ipc"] == "G06N3/08"
    assert set(data) >= {"ipc", "industries", "sei", "tags"}
    assert data["industries"][0] == {
        "code": "6513",
        "name": "应用软件开发",
        "confidence": 0.6,
        "source": "derived:derived-gbt4754",
        "evidence": ["derived-gbt4754#1 G06N3/00<-G06N3/08"],
    }
    assert data["sei"][0]["code"] == "1.5"
    assert {t["tag"] for t in data["tags"]} >= {"digital"}

    out = io.StringIO()
    call_command("classify", "--scope", "锂离子电池制造", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["industries"][0]["code"] == "3841"
    assert set(data) >= {"industries", "sei", "tags"}

    with pytest.raises(CommandError, match="malformed IPC code"):
        call_command("classify", "--ipc", "Q99/01", "--json", stdout=io.StringIO())
