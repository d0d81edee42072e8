"""Patent bulk import: readers' refusals (DB unchanged), validation codes, upsert/merge, 建档 rows, re-import."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.identifiers.application_number import check_character
from panhuo.common.errors import ApplicationError
from panhuo.imports.models import ImportJob, ImportReject, ImportStatus
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.patents.models import InventoryRecord, InventoryState, Patent

HEADER = "申请号,名称,申请日,IPC分类号,法律状态,专利类型,学院\n"


def app_no(serial: int, type_digit: str = "1", year: int = 2019) -> str:
    body = f"{year}{type_digit}{serial:07d}"
    return f"{body}.{check_character(body)}"


def run(org, data: bytes, name: str = "p.csv", tmp_path: Path | None = None, **kw) -> ImportJob:
    job = import_job_create(
        organization=org, kind="patents", uploaded_file=io.BytesIO(data), original_name=name, **kw
    )
    return import_job_run(job)


def counts(job: ImportJob) -> tuple[int, int, int, int, int]:
    return (job.total, job.inserted, job.updated, job.unchanged, job.rejected)


def rejects(job: ImportJob) -> list[tuple[int, str, str]]:
    return list(ImportReject.objects.filter(job=job).values_list("line", "column", "code"))


def refused(org, data: bytes, name: str) -> ApplicationError:
    with pytest.raises(ApplicationError) as err:
        import_job_create(
            organization=org, kind="patents", uploaded_file=io.BytesIO(data), original_name=name
        )
    assert ImportJob.objects.count() == 0
    assert Patent.objects.count() == 0
    assert InventoryRecord.objects.count() == 0
    return err.value


# --- readers -------------------------------------------------------------------------------------------


def test_gbk_csv_is_detected_and_imported(university):
    text = HEADER + f"{app_no(1)},一种基于深度学习的检测方法,2019-03-01,G06N3/08,有效,发明,计算机学院\n"
    job = run(university, text.encode("gbk"))
    assert job.encoding == "gb18030"
    assert counts(job) == (1, 1, 0, 0, 0)
    patent = Patent.objects.get(app_no=app_no(1))
    assert patent.title == "一种基于深度学习的检测方法"
    assert patent.ipc_codes == ["G06N3/08"] and patent.ipc_subclass == "G06N"
    record = InventoryRecord.objects.get(patent=patent)
    assert (record.organization_id, record.college.code, record.state) == (university.pk, "CS", "unfiled")


def test_utf8_bom_header_is_recognised(university):
    text = "\ufeff" + HEADER + f"{app_no(2)},一种装置,2019-03-01,,,,\n"
    job = run(university, text.encode("utf-8"))
    assert job.encoding == "utf-8-sig"
    assert counts(job) == (1, 1, 0, 0, 0)


def test_empty_file_refused(university):
    err = refused(university, b"", "p.csv")
    assert (err.code, err.message_zh) == ("import_empty", "文件为空")


def test_header_only_file_imports_nothing(university):
    job = run(university, HEADER.encode())
    assert counts(job) == (0, 0, 0, 0, 0)
    assert job.status == ImportStatus.DONE


def test_binary_named_csv_refused(university):
    err = refused(university, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "p.csv")
    assert (err.code, err.message_zh) == ("import_not_csv", "文件内容不是 CSV 文本")
    err = refused(university, b"abc,def\x00\x01\x02", "p.csv")
    assert err.code == "import_not_csv"


def test_utf16_refused(university):
    err = refused(university, HEADER.encode("utf-16"), "p.csv")
    assert err.code == "import_encoding"
    assert err.message_zh == "不支持 UTF-16/UTF-32 编码，请另存为 UTF-8 或 GBK 编码的 CSV"


def test_wrong_extension_refused(university):
    err = refused(university, b"%PDF-1.4 ...", "p.pdf")
    assert (err.code, err.message_zh) == ("import_type", "只接受 CSV（.csv）或 Excel（.xlsx）文件")


def test_unrecognised_header_refused(university):
    err = refused(university, b"foo,bar\n1,2\n", "p.csv")
    assert err.code == "import_header"
    err = refused(university, "申请号,申请日\n1,2\n".encode(), "p.csv")
    assert (err.code, err.message_zh) == ("import_header_missing", "缺少必填列：名称")


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_bomb_refused_fast(university):
    bomb = _zip(
        {
            "[Content_Types].xml": b"<x/>",
            "xl/workbook.xml": b"<x/>",
            "xl/worksheets/sheet1.xml": b"\0" * 20_000_000,
        }
    )
    assert len(bomb) < 100_000
    started = time.perf_counter()
    err = refused(university, bomb, "p.xlsx")
    assert time.perf_counter() - started < 2.0
    assert err.code == "import_zip_bomb"
    assert err.message_zh == "XLSX 文件压缩比异常（疑似压缩炸弹），拒绝处理"


def test_zip_traversal_refused(university):
    evil = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "../../evil.xml": b"<x/>"})
    err = refused(university, evil, "p.xlsx")
    assert err.code == "import_zip_path"
    assert err.message_zh == "XLSX 文件含非法路径（绝对路径或 ..），拒绝处理"


def test_macro_workbook_refused(university):
    err = refused(university, _zip({"xl/vbaProject.bin": b"x"}), "p.xlsm")
    assert err.code == "import_macro"
    err = refused(
        university,
        _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/vbaProject.bin": b"x"}),
        "p.xlsx",
    )
    assert err.code == "import_macro"


def test_not_a_zip_named_xlsx_refused(university):
    err = refused(university, HEADER.encode(), "p.xlsx")
    assert (err.code, err.message_zh) == ("import_not_xlsx", "文件不是有效的 XLSX 表格")


def test_xlsx_import_with_dates_and_numbers(university):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["申请号", "发明名称", "申请日", "主分类号", "技术成熟度", "转化方式", "学院"])
    import datetime as dt

    ws.append([app_no(3), "一种机械臂", dt.datetime(2019, 5, 6), "B25J9/16", 6, "转让、许可", "机械学院"])
    buf = io.BytesIO()
    wb.save(buf)
    job = run(university, buf.getvalue(), "p.xlsx")
    assert counts(job) == (1, 1, 0, 0, 0)
    record = InventoryRecord.objects.get(patent__app_no=app_no(3))
    assert record.patent.application_date == dt.date(2019, 5, 6)
    assert (record.state, record.trl, record.conversion_modes) == ("draft", 6, ["transfer", "licence"])
    assert record.college.code == "ME"


# --- validation -------------------------------------------------------------------------------------------


def test_row_errors_reported_with_codes_and_nothing_written_for_them(university):
    bad_check = app_no(5)[:-1] + ("0" if app_no(5)[-1] != "0" else "1")
    text = HEADER + "\n".join(
        [
            f"{app_no(4)},好的一行,2019-01-02,G06F16/00,有效,发明,",
            f"{bad_check},校验位错误,2019-01-02,,,,",
            f"{app_no(6)},日期错误,2019-02-30,,,,",
            f"{app_no(7)},类型未知,2019-01-02,,,植物新品种,",
            f"{app_no(8)},分类号错误,2019-01-02,G6F,,,",
            f"{app_no(9)},学院未知,2019-01-02,,,,不存在学院",
            f"{app_no(4)},重复行,2019-01-02,,,,",
            f"{app_no(10, '2')},类型冲突,2019-01-02,,,发明,",
            ",缺少申请号,2019-01-02,,,,",
            f"{app_no(11)},,2019-01-02,,,,",
        ]
    )
    job = run(university, text.encode())
    assert counts(job) == (10, 1, 0, 0, 9)
    assert rejects(job) == [
        (3, "app_no", "app_no_check_digit"),
        (4, "application_date", "date_format"),
        (5, "patent_type", "patent_type_unknown"),
        (6, "ipc", "ipc_format"),
        (7, "college", "college_unknown"),
        (8, "app_no", "duplicate_in_file"),
        (9, "patent_type", "patent_type_conflict"),
        (10, "app_no", "key_missing"),
        (11, "title", "required"),
    ]
    reject = ImportReject.objects.get(job=job, line=3)
    assert reject.message_zh.startswith("申请号校验位错误（应为 ")
    assert list(Patent.objects.values_list("app_no", flat=True)) == [app_no(4)]


def test_type_implied_by_number_and_old_ipc_kept(university):
    text = HEADER + f"{app_no(12, '2')},一种夹具,2019年3月1日,H01L21/00;B25B11/00,未缴年费专利权终止,,\n"
    job = run(university, text.encode())
    assert counts(job) == (1, 1, 0, 0, 0)
    p = Patent.objects.get()
    assert (p.patent_type, p.legal_status) == ("utility", "lapsed")
    assert p.ipc_codes == ["H01L21/00", "B25B11/00"]
    assert p.ipc_historic == ["H01L21/00"]
    assert str(p.application_date) == "2019-03-01"


def test_reimport_reports_zero_inserted(university):
    text = HEADER + "".join(f"{app_no(100 + i)},专利{i},2019-01-02,G06F,有效,发明,\n" for i in range(30))
    first = run(university, text.encode())
    assert counts(first) == (30, 30, 0, 0, 0)
    second = run(university, text.encode())
    assert second.pk != first.pk
    assert counts(second) == (30, 0, 0, 30, 0)
    assert Patent.objects.count() == 30 and InventoryRecord.objects.count() == 30


def test_changed_row_counts_updated(university):
    run(university, (HEADER + f"{app_no(200)},旧名称,2019-01-02,,,,\n").encode())
    job = run(university, (HEADER + f"{app_no(200)},新名称,2019-01-02,,有效,,\n").encode())
    assert counts(job) == (1, 0, 1, 0, 0)
    p = Patent.objects.get()
    assert (p.title, p.legal_status) == ("新名称", "valid")


def test_publication_number_record_gets_its_application_number(university):
    run(university, "公开号,名称\nCN114081026A,一种驱鸟装置\n".encode())
    p = Patent.objects.get()
    assert (p.app_no, p.pub_no, p.pub_kind, p.patent_type) == (None, "CN114081026", "A", "invention")
    job = run(university, f"申请号,公开号,名称\n{app_no(300)},CN114081026A,一种驱鸟装置\n".encode())
    assert counts(job) == (1, 0, 1, 0, 0)
    p = Patent.objects.get()
    assert (p.app_no, p.pub_no) == (app_no(300), "CN114081026")
    assert InventoryRecord.objects.count() == 1


def test_only_the_importing_tenants_records_are_written(university, other_university):
    # A patent held by another institution is refused (panhuo/patents/tests/test_import_rights.py has the rest)
    run(other_university, (HEADER + f"{app_no(400)},乙的专利,2019-01-02,,,,\n").encode())
    job = run(university, (HEADER + f"{app_no(400)},甲改的名称,2019-01-02,,,,\n").encode())
    assert counts(job) == (1, 0, 0, 0, 1) and rejects(job) == [(2, "app_no", "rights_held_by_other")]
    assert Patent.objects.get().title == "乙的专利"
    assert set(InventoryRecord.objects.values_list("organization__code", "state")) == {("UNI-B", "unfiled")}


def test_inventory_fields_make_a_draft_and_reviewed_records_are_left_alone(university):
    header = "申请号,名称,是否财政资助,实施状态,转化意愿,转化方式,技术成熟度,价值分级自评,联系人,联系电话\n"
    row = f"{app_no(500)},一种电池,是,已实施,是,作价入股,7,A,李老师,023-12345678\n"
    job = run(university, (header + row).encode())
    assert counts(job) == (1, 1, 0, 0, 0)
    r = InventoryRecord.objects.get()
    assert (r.state, r.fiscal_funded, r.implementation_status, r.conversion_intent) == (
        InventoryState.DRAFT,
        True,
        "implemented",
        True,
    )
    assert (r.conversion_modes, r.trl, r.value_self_grade, r.contact_phone) == (
        ["equity"],
        7,
        "A",
        "023-12345678",
    )
    InventoryRecord.objects.filter(pk=r.pk).update(state=InventoryState.POOLED)
    again = run(university, (header + row.replace(",7,A,", ",3,D,")).encode())
    assert counts(again) == (1, 0, 0, 1, 0)
    r.refresh_from_db()
    assert (r.state, r.trl, r.value_self_grade) == (InventoryState.POOLED, 7, "A")


def test_bad_inventory_values_rejected(university):
    header = "申请号,名称,技术成熟度,价值分级自评,转化方式\n"
    job = run(university, (header + f"{app_no(600)},一种阀门,12,E,赠送\n").encode())
    assert counts(job) == (1, 0, 0, 0, 1)
    assert sorted(rejects(job)) == [
        (2, "conversion_modes", "conversion_mode_unknown"),
        (2, "trl", "trl_range"),
        (2, "value_self_grade", "grade_unknown"),
    ]
    assert Patent.objects.count() == 0


# --- properties -------------------------------------------------------------------------------------------


DEFECTS = {
    "good": None,
    "check": ("app_no", "app_no_check_digit"),
    "date": ("application_date", "date_format"),
    "type": ("patent_type", "patent_type_unknown"),
    "ipc": ("ipc", "ipc_format"),
    "title": ("title", "required"),
    "dup": ("app_no", "duplicate_in_file"),
}
_serial = iter(range(10_000, 10_000_000))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kinds=st.lists(st.sampled_from(sorted(DEFECTS)), min_size=1, max_size=25))
def test_total_invariant_and_each_bad_row_reported_once(university, kinds):
    lines = []
    expected: list[tuple[int, str, str]] = []
    first_number = None
    for i, kind in enumerate(kinds):
        number = app_no(next(_serial))
        cells = [number, f"专利{i}", "2020-01-02", "G06F16/00", "有效", "发明", ""]
        if kind == "check":
            cells[0] = number[:-1] + ("0" if number[-1] != "0" else "1")
        elif kind == "date":
            cells[2] = "2020-02-31"
        elif kind == "type":
            cells[5] = "商标"
        elif kind == "ipc":
            cells[3] = "G06F 16/0Z"
        elif kind == "title":
            cells[1] = ""
        elif kind == "dup":
            if first_number is None:
                kind = "good"  # nothing to duplicate yet: this row is the original
            else:
                cells[0] = first_number
        if kind == "good" and first_number is None:
            first_number = cells[0]
        if DEFECTS[kind]:
            column, code = DEFECTS[kind]  # type: ignore[misc]
            expected.append((i + 2, column, code))
        lines.append(",".join(cells))
    job = run(university, (HEADER + "\n".join(lines) + "\n").encode())
    assert job.total == len(kinds)
    assert job.total == job.inserted + job.updated + job.unchanged + job.rejected
    assert job.rejected == len(expected)
    assert job.inserted == len(kinds) - len(expected)
    assert rejects(job) == expected
