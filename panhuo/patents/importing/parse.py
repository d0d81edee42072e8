"""One CSV/XLSX row -> a validated `Parsed` patent row, or the list of its rejects.

Hot path of the import (a million rows): cells that repeat (dates, IPC codes, statuses, types) are parsed once
per run and cached; a canonical 申请号 skips the general normaliser.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from operator import mul
from typing import Any, NamedTuple

from engine.identifiers.application_number import (
    NumberError,
    application_number_type,
    normalise_application_number,
    normalise_publication_number,
)
from panhuo.imports.registry import RowReject
from panhuo.patents.importing import columns as C
from panhuo.patents.models import LegalStatus

_CANONICAL_APP = re.compile(r"^(\d{12}|\d{8})\.([\dX])$")
_W12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_W8 = (2, 3, 4, 5, 6, 7, 8, 9)
_ZERO12 = 48 * sum(_W12)  # ord("0") times the weights: digits come in as bytes
_ZERO8 = 48 * sum(_W8)
_CACHE_MAX = 200_000
_UNKNOWN = str(LegalStatus.UNKNOWN)
INVENTORY_VALUE_FIELDS = C.INVENTORY_NAMES


def fast_app_no(raw: str) -> str:
    """The canonical 申请号; canonical input is checked without the general normaliser (same result)."""
    m = _CANONICAL_APP.match(raw)
    if m:
        body = m.group(1).encode("ascii")
        if len(body) == 12:
            total = (sum(map(mul, body, _W12)) - _ZERO12) % 11
        else:
            total = (sum(map(mul, body, _W8)) - _ZERO8) % 11
        if m.group(2) == ("X" if total == 10 else str(total)):
            return raw
    return normalise_application_number(raw)


@dataclass(frozen=True)
class _Failure:
    code: str
    message_zh: str
    message_en: str


# Patent columns the importer sets, in the order of `Parsed.params` (the rest take their model defaults).
PATENT_FIELDS = (
    "app_no",
    "pub_no",
    "pub_kind",
    "patent_type",
    "title",
    "abstract",
    "ipc_main",
    "ipc_codes",
    "ipc_section",
    "ipc_class",
    "ipc_subclass",
    "ipc_historic",
    "applicants",
    "patentees",
    "inventors",
    "application_date",
    "publication_date",
    "grant_date",
    "legal_status",
    "source",
    "is_demo",
    "is_synthetic",
    "content_hash",
)
LIST_FIELDS = ("ipc_codes", "ipc_historic", "applicants", "patentees", "inventors")  # stored as JSON text
DATE_FIELDS = ("application_date", "publication_date", "grant_date")  # stored as ISO text


class Parsed(NamedTuple):
    """One accepted row. A tuple (not a dataclass): a million of them cross a process boundary by pickle."""

    line: int
    app_no: str | None
    pub_no: str | None
    params: tuple[Any, ...]  # PATENT_FIELDS' values as the database takes them (JSON text, ISO dates)
    college_id: int | None
    first_inventor: str
    inventory: dict[str, Any] | None  # filled 建档 fields only (None: none)
    extras: tuple[Any, ...] | None = None  # per registered extension: its parsed values (None: none filled)

    @property
    def content_hash(self) -> str:
        return str(self.params[-1])


def content_hash(parts: tuple[str, ...]) -> str:
    """Of the imported bibliographic values: equal hash = the row would change nothing."""
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


_JSON_SPECIAL = re.compile(r'["\\\x00-\x1f]')


def dump_str_list(values: list[str]) -> str:
    """JSON text of a list of strings; plain strings (nearly all) skip the encoder."""
    if not values:
        return "[]"
    joined = '","'.join(values)
    if _JSON_SPECIAL.search(joined):
        return json.dumps(values, ensure_ascii=False)
    return f'["{joined}"]'


def values_from_params(params: tuple[Any, ...]) -> dict[str, Any]:
    """PATENT_FIELDS -> Python values (lists, dates): what the ORM takes, for the rare update path."""
    values = dict(zip(PATENT_FIELDS, params, strict=True))
    for name in LIST_FIELDS:
        values[name] = json.loads(values[name])
    for name in DATE_FIELDS:
        values[name] = dt.date.fromisoformat(values[name]) if values[name] else None
    return values


def params_from_values(values: dict[str, Any]) -> tuple[Any, ...]:
    """The inverse of `values_from_params` (the hash is taken from `values` as is)."""
    out = []
    for name in PATENT_FIELDS:
        value = values[name]
        if name in LIST_FIELDS:
            value = dump_str_list(value)
        elif name in DATE_FIELDS:
            value = value.isoformat() if value else None
        out.append(value)
    return tuple(out)


def parse_inventory(name: str, raw: str) -> Any:
    if name == "fiscal_funded":
        return C.parse_bool(raw, "是否财政资助")
    if name == "conversion_intent":
        return C.parse_bool(raw, "转化意愿")
    if name == "implementation_status":
        return C.parse_implementation(raw)
    if name == "conversion_modes":
        return C.parse_modes(raw)
    if name == "trl":
        return C.parse_trl(raw)
    if name == "value_self_grade":
        return C.parse_grade(raw)
    if name == "contact_email":
        return C.parse_email(raw)
    if name == "contact_phone":
        return C.parse_phone(raw)
    return raw


class RowParser:
    """Parses rows for one job: the tenant's colleges and the job's options are fixed for the run."""

    def __init__(self, *, colleges: dict[str, int], source: str, is_demo: bool, is_synthetic: bool) -> None:
        self.colleges = colleges
        self.source = source
        self.is_demo = is_demo
        self.is_synthetic = is_synthetic
        self._dates: dict[tuple[str, str], dt.date | _Failure] = {}
        self._ipc: dict[tuple[str, str], C.IpcCell | _Failure] = {}
        self._status: dict[str, str | _Failure] = {}
        self._type: dict[str, str | _Failure] = {}

    def _cached(self, cache: dict[Any, Any], key: Any, fn: Any, *args: Any) -> Any:
        value = cache.get(key)
        if value is None:
            try:
                value = fn(*args)
            except C.CellError as err:
                # Keep only the message: a stored exception would pin its traceback's frames (whole batches).
                value = _Failure(err.code, err.message_zh, err.message_en)
            if len(cache) < _CACHE_MAX:
                cache[key] = value
        if isinstance(value, _Failure):
            raise C.CellError(value.code, value.message_zh, value.message_en)
        return value

    def parse(self, line: int, row: dict[str, str]) -> Parsed | list[RowReject]:
        rejects: list[RowReject] = []

        def bad(column: str, err: C.CellError | NumberError) -> None:
            rejects.append(
                RowReject(line, column, row.get(column, ""), err.code, err.message_zh, err.message_en)
            )

        app_no = pub_no = None
        pub_kind = ""
        raw_app, raw_pub = row["app_no"], row["pub_no"]
        if raw_app:
            try:
                app_no = fast_app_no(raw_app)
            except NumberError as err:
                bad("app_no", err)
        if raw_pub:
            try:
                pub_no, pub_kind = normalise_publication_number(raw_pub)
            except NumberError as err:
                bad("pub_no", err)
        if not raw_app and not raw_pub:
            rejects.append(
                RowReject(
                    line,
                    "app_no",
                    "",
                    "key_missing",
                    "申请号和公开（公告）号至少填写一个",
                    "give the application number or the publication number",
                )
            )
        # Patent type: the column, else the 申请号's type digit, else the publication kind code.
        if app_no:
            implied = application_number_type(app_no)
        else:
            implied = C.TYPE_BY_KIND.get(pub_kind[:1]) if pub_kind else None
        patent_type = None
        if row["patent_type"]:
            try:
                patent_type = self._cached(
                    self._type, row["patent_type"], C.parse_patent_type, row["patent_type"]
                )
            except C.CellError as err:
                bad("patent_type", err)
            else:
                if app_no and implied and implied != patent_type:
                    rejects.append(
                        RowReject(
                            line,
                            "patent_type",
                            row["patent_type"],
                            "patent_type_conflict",
                            "专利类型与申请号中的类型位不一致",
                            "patent type contradicts the application number's type digit",
                        )
                    )
        elif implied:
            patent_type = implied
        elif app_no or pub_no:
            rejects.append(
                RowReject(
                    line,
                    "patent_type",
                    "",
                    "patent_type_missing",
                    "无法确定专利类型：请填写“专利类型”",
                    "patent type unknown: fill the patent type column",
                )
            )
        dates: dict[str, dt.date | None] = {}
        date_cache = self._dates
        for name, label in (
            ("application_date", "申请日"),
            ("publication_date", "公开日"),
            ("grant_date", "授权公告日"),
        ):
            raw = row[name]
            dates[name] = None
            if raw:
                hit = date_cache.get((raw, label))
                if hit.__class__ is dt.date:  # the usual case, without a call
                    dates[name] = hit
                    continue
                try:
                    dates[name] = self._cached(date_cache, (raw, label), C.parse_date, raw, label)
                except C.CellError as err:
                    bad(name, err)
        codes: list[str] = []
        historic: list[str] = []
        if row["ipc"] or row["ipc_main"]:
            try:
                cell = self._cached(
                    self._ipc, (row["ipc_main"], row["ipc"]), C.parse_ipc_cells, row["ipc_main"], row["ipc"]
                )
                codes, historic = list(cell.codes), list(cell.historic)
            except C.CellError as err:
                bad("ipc_main" if row["ipc_main"] else "ipc", err)
        legal = _UNKNOWN
        if row["legal_status"]:
            try:
                legal = self._cached(
                    self._status, row["legal_status"], C.parse_legal_status, row["legal_status"]
                )
            except C.CellError as err:
                bad("legal_status", err)
        college_id = None
        if row["college"]:
            college_id = self.colleges.get(row["college"].strip().lower())
            if college_id is None:
                rejects.append(
                    RowReject(
                        line,
                        "college",
                        row["college"],
                        "college_unknown",
                        f"本单位没有名为“{row['college'][:30]}”的学院",
                        "no such college in this institution",
                    )
                )
        inventory: dict[str, Any] = {}
        for name in INVENTORY_VALUE_FIELDS:
            raw = row[name]
            if raw:
                try:
                    inventory[name] = parse_inventory(name, raw)
                except C.CellError as err:
                    bad(name, err)
        if rejects:
            return rejects
        main = codes[0] if codes else ""
        source = (row["source"] or self.source)[:100]
        inventors = C.split_names(row["inventors"], commas=True)
        applicants = C.split_names(row["applicants"])
        patentees = C.split_names(row["patentees"])
        is_synthetic = self.is_synthetic or source.strip().lower() == "synthetic"
        ad, pd, gd = dates["application_date"], dates["publication_date"], dates["grant_date"]
        ad_text = ad.isoformat() if ad else ""
        pd_text = pd.isoformat() if pd else ""
        gd_text = gd.isoformat() if gd else ""
        title, abstract = row["title"], row["abstract"]
        digest = content_hash(
            (
                app_no or "",
                pub_no or "",
                pub_kind,
                patent_type or "",
                title,
                abstract,
                "|".join(codes),
                "|".join(applicants),
                "|".join(patentees),
                "|".join(inventors),
                ad_text,
                pd_text,
                gd_text,
                legal,
                source,
                "1" if self.is_demo else "0",
                "1" if is_synthetic else "0",
            )
        )
        params = (
            app_no,
            pub_no,
            pub_kind,
            patent_type,
            title,
            abstract,
            main,
            dump_str_list(codes),
            main[:1],
            main[:3] if len(main) >= 3 else "",
            main[:4] if len(main) >= 4 else "",
            dump_str_list(historic),
            dump_str_list(applicants),
            dump_str_list(patentees),
            dump_str_list(inventors),
            ad_text or None,
            pd_text or None,
            gd_text or None,
            legal,
            source,
            self.is_demo,
            is_synthetic,
            digest,
        )
        first_inventor = (row["first_inventor"] or (inventors[0] if inventors else ""))[:100]
        return Parsed(line, app_no, pub_no, params, college_id, first_inventor, inventory or None)
