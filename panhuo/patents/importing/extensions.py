"""Columns that a higher app adds to 批量建档 (the upkeep app's value facts and annual fees, for example).

A lower app never calls a higher one by name: the higher app registers a `RowExtension` when Django starts (its
AppConfig.ready), the way import handlers register with `panhuo.imports`. The extension checks its cells while
the row is parsed (no database: a bad cell rejects the whole row before anything is written, like any other
cell), and applies the accepted values inside the batch transaction once the row's patent and 建档 record exist.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from panhuo.imports.registry import ColumnSpec, RowReject

if TYPE_CHECKING:
    from panhuo.imports.models import ImportJob

# (line, patent id, the values the extension's parse returned)
Accepted = tuple[int, int, Any]


@dataclass(frozen=True)
class Applied:
    rejects: list[RowReject]
    changed_lines: set[int]  # rows whose stored values changed (an otherwise unchanged row counts as updated)


@dataclass(frozen=True)
class RowExtension:
    name: str
    columns: tuple[ColumnSpec, ...]
    example: Mapping[str, str]
    # The row's cells -> (values, or None when the row leaves all of the extension's cells empty; rejects as
    # (column, code, 中文, English)). Runs in the parsing process: no database.
    parse: Callable[[Mapping[str, str]], tuple[Any, list[tuple[str, str, str, str]]]]
    apply: Callable[[ImportJob, list[Accepted]], Applied]


_EXTENSIONS: dict[str, RowExtension] = {}


def add_extension(extension: RowExtension) -> None:
    """Add an extension (idempotent by name); `handler.extend` calls this and adds the columns to the handler."""
    _EXTENSIONS[extension.name] = extension


def extensions() -> tuple[RowExtension, ...]:
    return tuple(_EXTENSIONS.values())


def extra_columns() -> tuple[ColumnSpec, ...]:
    return tuple(c for e in extensions() for c in e.columns)
