"""Safe, streaming readers for uploaded tables: CSV (UTF-8 ± BOM, GB18030/GBK) and XLSX (zip-bomb guarded).

Everything a user can get wrong is an `ApplicationError` with a Chinese and an English message; nothing here
touches the database. Rows come out as `(line_no, [cells])`, line_no = the record number with the header = 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from panhuo.common.errors import ApplicationError
from panhuo.imports.registry import ColumnSpec

MAX_COLUMNS = 200
MAX_FIELD_CHARS = 131072
SNIFF_BYTES = 256 * 1024
ZIP_MAX_ENTRIES = 1000
ZIP_MAX_TOTAL = 512 * 1024 * 1024
ZIP_MAX_RATIO = 100
_ZIP_RATIO_MIN_SIZE = 64 * 1024  # tiny entries (styles, rels) may compress better than 100:1 and are harmless

_MAGIC_ZIP = b"PK\x03\x04"
_MAGIC_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls / .doc
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def _error(code: str, zh: str, en: str, field: str | None = "file") -> ApplicationError:
    return ApplicationError(code, zh, en, field)


@dataclass(frozen=True)
class FileInfo:
    file_format: str  # csv | xlsx
    encoding: str  # utf-8-sig | utf-8 | gb18030 | "" for xlsx


def sniff(path: Path, original_name: str) -> FileInfo:
    """Decide format and encoding from the extension AND the first bytes; refuse anything else."""
    suffix = PurePosixPath(original_name.lower()).suffix
    size = path.stat().st_size
    if size == 0:
        raise _error("import_empty", "文件为空", "the file is empty")
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if suffix in (".xlsm", ".xltm"):
        raise _error(
            "import_macro", "不接受含宏的 Excel 文件（.xlsm）", "macro-enabled workbooks (.xlsm) are refused"
        )
    if suffix == ".xls" or head.startswith(_MAGIC_OLE):
        raise _error(
            "import_xls_legacy",
            "不支持旧版 Excel（.xls），请另存为 .xlsx 或 CSV",
            "legacy .xls is not supported: save as .xlsx or CSV",
        )
    if suffix == ".xlsx":
        if not head.startswith(_MAGIC_ZIP):
            raise _error(
                "import_not_xlsx", "文件不是有效的 XLSX 表格", "the file is not a valid XLSX workbook"
            )
        check_zip(path)
        return FileInfo("xlsx", "")
    if suffix in (".csv", ".txt", ".tsv"):
        if head.startswith(_MAGIC_ZIP) or head.startswith(_BINARY_MAGIC):
            raise _error(
                "import_not_csv", "文件内容不是 CSV 文本", "the file content is not CSV text (binary data)"
            )
        return FileInfo("csv", detect_encoding(head, complete=size <= SNIFF_BYTES))
    raise _error(
        "import_type",
        "只接受 CSV（.csv）或 Excel（.xlsx）文件",
        "only CSV (.csv) or Excel (.xlsx) files are accepted",
    )


def detect_encoding(head: bytes, *, complete: bool) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)):
        raise _error(
            "import_encoding",
            "不支持 UTF-16/UTF-32 编码，请另存为 UTF-8 或 GBK 编码的 CSV",
            "UTF-16/32 is not supported: save the CSV as UTF-8 or GBK",
        )
    if b"\x00" in head:
        raise _error(
            "import_not_csv",
            "文件含空字符（NUL），不是 CSV 文本",
            "the file contains NUL bytes: not CSV text",
        )
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        decoder = codecs.getincrementaldecoder(enc)()
        try:
            text = decoder.decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return enc
    raise _error(
        "import_encoding",
        "无法识别文件编码：请使用 UTF-8 或 GBK/GB18030 编码的 CSV",
        "unrecognised encoding: use a UTF-8 or GBK/GB18030 CSV",
    )


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes many byte salads; demand mostly printable characters (controls other than tab/CR/LF)."""
    if not text:
        return True
    bad = sum(
        1 for ch in text[:20000] if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\t\r\n"
    )
    return bad <= len(text[:20000]) // 1000


def check_zip(path: Path) -> None:
    """Zip-bomb and path guard before openpyxl sees the file."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _error("import_not_xlsx", "文件不是有效的 XLSX 表格", "the file is not a valid XLSX workbook")
    if len(infos) > ZIP_MAX_ENTRIES:
        raise _error(
            "import_zip_bomb", "XLSX 文件内部条目过多，拒绝处理", "too many entries inside the XLSX: refused"
        )
    total = 0
    names = set()
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
            raise _error(
                "import_zip_path",
                "XLSX 文件含非法路径（绝对路径或 ..），拒绝处理",
                "the XLSX contains absolute or '..' paths: refused",
            )
        total += info.file_size
        if total > ZIP_MAX_TOTAL:
            raise _error(
                "import_zip_bomb",
                "XLSX 解压后超过 512 MiB，拒绝处理",
                "the XLSX expands to more than 512 MiB: refused",
            )
        if info.file_size > _ZIP_RATIO_MIN_SIZE and (
            info.compress_size == 0 or info.file_size / info.compress_size > ZIP_MAX_RATIO
        ):
            raise _error(
                "import_zip_bomb",
                "XLSX 文件压缩比异常（疑似压缩炸弹），拒绝处理",
                "abnormal compression ratio in the XLSX (zip bomb?): refused",
            )
        names.add(name)
    if "xl/vbaProject.bin" in names:
        raise _error(
            "import_macro", "不接受含宏的 Excel 文件（.xlsm）", "macro-enabled workbooks (.xlsm) are refused"
        )
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise _error("import_not_xlsx", "文件不是有效的 XLSX 表格", "the file is not a valid XLSX workbook")


# --- rows --------------------------------------------------------------------------------------------


def _csv_lines(path: Path, encoding: str) -> Iterator[str]:
    with path.open("r", encoding=encoding, newline="", errors="strict") as fh:
        try:
            for line in fh:
                if "\x00" in line:
                    raise _error(
                        "import_nul",
                        "文件含空字符（NUL），拒绝处理",
                        "the file contains NUL characters: refused",
                    )
                yield line
        except UnicodeDecodeError as exc:
            raise _error(
                "import_encoding",
                f"文件编码错误（{encoding}）：第 {exc.start} 字节附近无法解码",
                f"encoding error ({encoding}) near byte {exc.start}",
            )


def _csv_records(path: Path, encoding: str) -> Iterator[list[str]]:
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    reader = csv.reader(_csv_lines(path, encoding), dialect=dialect, strict=False)
    try:
        for rec in reader:
            if len(rec) > MAX_COLUMNS:
                raise _error(
                    "import_columns",
                    f"第 {reader.line_num} 行列数超过 {MAX_COLUMNS}",
                    f"line {reader.line_num} has more than {MAX_COLUMNS} columns",
                )
            yield rec
    except csv.Error as exc:
        raise _error(
            "import_csv_format",
            f"CSV 格式错误（第 {reader.line_num} 行附近）：字段过长或引号不匹配",
            f"malformed CSV near line {reader.line_num}: {exc}",
        )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _xlsx_records(path: Path) -> Iterator[list[str]]:
    import openpyxl

    check_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on broken files
        raise _error("import_not_xlsx", "文件不是有效的 XLSX 表格", "the file is not a valid XLSX workbook")
    try:
        ws = wb.worksheets[0]
        for values in ws.iter_rows(values_only=True):
            if len(values) > MAX_COLUMNS:
                values = values[:MAX_COLUMNS]
            yield [_cell_text(v) for v in values]
    finally:
        wb.close()


def records(path: Path, info: FileInfo) -> Iterator[list[str]]:
    """All records of the file (header first), as lists of strings."""
    if info.file_format == "xlsx":
        return _xlsx_records(path)
    return _csv_records(path, info.encoding)


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    return re.sub(r"[\s_*＊()（）:：/／\-]+", "", text)


@dataclass(frozen=True)
class HeaderMap:
    positions: tuple[tuple[int, str], ...]  # (cell index, column name)
    missing_required: tuple[str, ...]
    unknown: tuple[str, ...]


def map_header(header: Sequence[str], columns: Sequence[ColumnSpec]) -> HeaderMap:
    lookup: dict[str, str] = {}
    for col in columns:
        for alias in (col.name, *col.aliases):
            lookup.setdefault(_header_key(alias), col.name)
    positions: list[tuple[int, str]] = []
    seen: set[str] = set()
    unknown: list[str] = []
    for i, cell in enumerate(header):
        name = lookup.get(_header_key(cell))
        if name is None:
            if cell.strip():
                unknown.append(cell.strip()[:40])
            continue
        if name in seen:
            continue  # the first of two columns meaning the same thing wins
        seen.add(name)
        positions.append((i, name))
    missing = tuple(c.title_zh for c in columns if c.required and c.name not in seen)
    return HeaderMap(tuple(positions), missing, tuple(unknown))


def read_header(path: Path, info: FileInfo, columns: Sequence[ColumnSpec]) -> HeaderMap:
    """Check the header row (the first non-empty record) maps every required column."""
    for rec in records(path, info):
        if not any(c.strip() for c in rec):
            continue
        hmap = map_header(rec, columns)
        if not hmap.positions:
            raise _error(
                "import_header",
                "无法识别表头：请使用批量建档模板的列名（如 申请号、名称）",
                "header not recognised: use the template's column names (e.g. 申请号, 名称)",
            )
        if hmap.missing_required:
            missing = "、".join(hmap.missing_required)
            raise _error(
                "import_header_missing",
                f"缺少必填列：{missing}",
                f"required columns missing: {missing}",
            )
        return hmap
    raise _error("import_empty", "文件没有内容", "the file has no rows")


def iter_rows(
    path: Path, info: FileInfo, columns: Sequence[ColumnSpec]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Data rows as (line_no, {column name: stripped text}); blank rows come out as (line_no, {})."""
    it = records(path, info)
    line = 0
    hmap: HeaderMap | None = None
    for rec in it:
        line += 1
        if any(c.strip() for c in rec):
            hmap = map_header(rec, columns)
            break
    if hmap is None:
        return
    names = [c.name for c in columns]
    positions = hmap.positions
    for rec in it:
        line += 1
        n = len(rec)
        row = dict.fromkeys(names, "")
        blank = True
        for i, name in positions:
            if i < n:
                value = rec[i].strip()
                if value:
                    row[name] = value
                    blank = False
        yield line, ({} if blank else row)


def count_lines(path: Path, info: FileInfo) -> int:
    """A cheap estimate of data rows for progress (CSV: newlines; XLSX: the sheet dimension)."""
    if info.file_format == "csv":
        n = 0
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                n += chunk.count(b"\n")
        return max(0, n - 1)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = wb.worksheets[0].max_row or 0
        wb.close()
    except Exception:  # noqa: BLE001
        return 0
    return max(0, rows - 1)
