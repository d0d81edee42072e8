"""Import handlers: what each bulk-import `kind` (patents, deals, enterprises …) plugs into the framework.

The framework (`panhuo.imports`) reads the file (CSV in UTF-8/GB18030 or XLSX, safely), maps the header to the
handler's columns, streams the rows in batches and, for each batch, calls the handler inside ONE transaction
together with the rejects and the checkpoint. It never imports the apps that provide handlers.

Write a handler in your app (for example `panhuo/deals/importing.py` or a package `panhuo/deals/importing/`)::

    from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, RowReject, register

    @register
    class DealImportHandler(ImportHandler):
        kind = "deals"                      # ImportJob.kind, max 24 characters
        label_zh = "交易备案"
        template_version = "1"              # bump when the columns change: part of the job key
        roles = ("institution_admin",)      # who may upload this kind in the web pages
        batch_size = 2000                   # <= 5000 (one transaction each)
        columns = (
            ColumnSpec("contract_no", ("合同编号", "contract number"), required=True),
            ColumnSpec("amount", ("金额（元）", "金额", "amount")),
        )

        def process_batch(self, job, rows):
            # rows: list[(line_no, {"contract_no": "...", "amount": "..."})]; values are stripped str ("" if
            # absent); line_no is the file line (header = 1). Required columns were checked already.
            result = BatchResult()
            for line, row in rows:
                ...
                result.rejects.append(RowReject(line, "amount", row["amount"], "amount_format",
                                                "金额格式不正确", "amount is malformed"))
                # or: result.inserted += 1 / result.updated += 1 / result.unchanged += 1
            return result

Rules the framework checks (a broken handler fails the job, it never miscounts):

* every row of the batch is exactly one of inserted / updated / unchanged / rejected; a rejected row may carry
  several `RowReject`s (one per bad column) but is counted once;
* `process_batch` runs inside the batch transaction: write with the ORM or raw SQL, do not commit yourself;
  it is retried from the last checkpoint after a crash, so it must be idempotent per row (upsert by a natural
  key, count "unchanged" when the stored row equals the incoming one);
* writes only the job's tenant (`job.organization`) private rows;
* one handler instance serves one run of one job (state on `self` is per run; see `replay` for resumes).

Optional split for speed: `prepare_batch(job, rows)` is the DB-free half (parse, validate) and returns what
`process_batch` then receives instead of the rows (default: the rows themselves). With `parallel_prepare = True`
the framework runs `prepare_batch` for large files in a forked child process, one or two batches ahead of the
writer: it must not touch the database or `self` state the writer changes; load what it needs in `open(job)`,
which runs first, in the writer process.

Registration: `@register` at import time. `ImportsConfig.ready()` imports `<app>.importing` of every installed app
(`autodiscover_modules`), so a module named `importing` in your app is enough; calling `register` from your own
`AppConfig.ready()` works as well (registering the same kind twice keeps the last class).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from panhuo.common.errors import ApplicationError, FieldErrors

if TYPE_CHECKING:
    from panhuo.imports.models import ImportJob

Row = tuple[int, dict[str, str]]


@dataclass(frozen=True)
class ColumnSpec:
    """One logical column: its identifier, the header spellings accepted (Chinese first), required or not."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int = 10000
    help_zh: str = ""

    @property
    def title_zh(self) -> str:
        return self.aliases[0] if self.aliases else self.name


@dataclass(frozen=True)
class RowReject:
    line: int
    column: str
    value: str
    code: str
    message_zh: str
    message_en: str = ""


def rejects_of(
    exc: ApplicationError, line: int, raw: Mapping[str, str], column_of: Mapping[str, str] | None = None
) -> list[RowReject]:
    """A service's refusal of one row as rejects, one per refused field (every field of a `FieldErrors`).

    `column_of` maps a service's field name to the import column it came from (same name when absent).
    """
    out = []
    for error in exc.errors if isinstance(exc, FieldErrors) else [exc]:
        field = error.field or ""
        column = (column_of or {}).get(field, field)
        out.append(
            RowReject(line, column, raw.get(column, "")[:200], error.code, error.message_zh, error.message_en)
        )
    return out


@dataclass
class BatchResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[RowReject] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Rows rejected (a row with several bad columns counts once)."""
        return len({r.line for r in self.rejects})

    def count(self, outcome: str) -> None:
        """Tally one accepted row: "inserted", "updated" or anything else (unchanged)."""
        if outcome == "inserted":
            self.inserted += 1
        elif outcome == "updated":
            self.updated += 1
        else:
            self.unchanged += 1


class ImportHandler:
    """Base class of a handler; subclasses set the class attributes and implement `process_batch`."""

    kind: ClassVar[str] = ""
    label_zh: ClassVar[str] = ""
    template_version: ClassVar[str] = "1"
    roles: ClassVar[tuple[str, ...]] = ("institution_admin", "college_admin")
    batch_size: ClassVar[int] = 2000
    columns: ClassVar[Sequence[ColumnSpec]] = ()
    parallel_prepare: ClassVar[bool] = False  # prepare_batch may run in a separate process (see module doc)

    def open(self, job: ImportJob) -> None:  # noqa: B027 - optional hook
        """Called once per run before the first batch is prepared, with database access."""

    def prepare_batch(self, job: ImportJob, rows: list[Row]) -> Any:
        """The DB-free half of a batch; its result is what `process_batch` receives. Default: the rows."""
        return rows

    def process_batch(self, job: ImportJob, rows: Any) -> BatchResult:
        """Write one prepared batch inside the batch transaction (`rows`: what `prepare_batch` returned)."""
        raise NotImplementedError

    def replay(self, job: ImportJob, rows: list[Row]) -> None:  # noqa: B027 - optional hook
        """On resume: rows committed (and not rejected) by an earlier run, to rebuild per-run state.

        One handler instance lives for one run of one job, so state such as "keys seen earlier in this file"
        kept on `self` must be rebuilt here after a crash. Nothing may be written.
        """

    def template_example(self) -> dict[str, str]:
        """One example row for the downloadable template (column name -> value)."""
        return {}

    def job_finished(self, job: ImportJob) -> None:  # noqa: B027 - optional hook
        """Called once after the last batch committed (outside the batch transactions)."""


_HANDLERS: dict[str, type[ImportHandler]] = {}


def register(handler: type[ImportHandler]) -> type[ImportHandler]:
    if not handler.kind or len(handler.kind) > 24:
        raise ValueError("handler.kind must be 1..24 characters")
    if not 1 <= handler.batch_size <= 5000:
        raise ValueError("batch_size must be 1..5000")
    names = [c.name for c in handler.columns]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate column names in {handler.kind}")
    _HANDLERS[handler.kind] = handler
    return handler


def get_handler(kind: str) -> ImportHandler:
    try:
        return _HANDLERS[kind]()
    except KeyError:
        from panhuo.common.errors import ApplicationError

        raise ApplicationError(
            "import_kind_unknown", f"未知的导入类型：{kind}", f"unknown import kind: {kind}", "kind"
        )


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)
