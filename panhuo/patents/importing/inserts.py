"""The import's bulk INSERTs: new patents and new 建档 records, one `executemany` each per batch.

The statements are built once per run from the models' fields: columns the importer does not set get their model
default as an SQL literal where it is a plain value (fewer parameters to bind per row); anything else stays a
bound parameter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection

from panhuo.patents.importing.parse import PATENT_FIELDS
from panhuo.patents.importing.sql import insert_sql, select_keys, split_defaults
from panhuo.patents.models import InventoryRecord, InventoryState, Patent

INVENTORY_FIELDS = (
    "organization",
    "patent",
    "college",
    "state",
    "first_inventor",
    "filer",
    "proxy_filing",
    "fiscal_funded",
    "implementation_status",
    "conversion_intent",
    "conversion_modes",
    "trl",
    "value_self_grade",
    "application_scenarios",
    "industrialisation_prospects",
    "contact_name",
    "contact_phone",
    "contact_email",
    "portfolio",
    "is_demo",
)
_STAMPS = ("created_at", "updated_at")


@dataclass
class NewInventory:
    """Builds the insert values of new 建档 records for one batch (column order: INVENTORY_FIELDS + rest)."""

    org_id: int
    filer_id: int | None
    is_demo: bool
    rest: tuple[Any, ...]
    stamp: Any
    modes_field: Any
    phone_field: Any

    def __post_init__(self) -> None:
        # The usual row carries no 建档 values: everything after first_inventor is the same for all of them.
        blank = (None, False, None, "", None, "[]", None, "", "", "", "", "", "", "", self.is_demo)
        self.blank_tail = (*blank, *self.rest, self.stamp, self.stamp)
        self.unfiled = str(InventoryState.UNFILED)

    def row(
        self, pid: int, college_id: int | None, first_inventor: str, inv: dict[str, Any] | None
    ) -> tuple[Any, ...]:
        if not inv:
            return (self.org_id, pid, college_id, self.unfiled, first_inventor, *self.blank_tail)
        return (
            self.org_id,
            pid,
            college_id,
            str(InventoryState.DRAFT),
            first_inventor,
            self.filer_id,
            True,
            inv.get("fiscal_funded"),
            inv.get("implementation_status", ""),
            inv.get("conversion_intent"),
            self.modes_field.get_db_prep_save(inv["conversion_modes"], connection)
            if "conversion_modes" in inv
            else "[]",
            inv.get("trl"),
            inv.get("value_self_grade", ""),
            inv.get("application_scenarios", ""),
            inv.get("industrialisation_prospects", ""),
            inv.get("contact_name", ""),
            self.phone_field.get_db_prep_save(inv["contact_phone"], connection)
            if "contact_phone" in inv
            else "",
            inv.get("contact_email", ""),
            inv.get("portfolio", ""),
            self.is_demo,
            *self.rest,
            self.stamp,
            self.stamp,
        )


@dataclass(frozen=True)
class _Statements:
    patent_sql: str
    patent_rest: tuple[Any, ...]  # bound default values after PATENT_FIELDS
    inventory_sql: str
    inventory_rest: tuple[Any, ...]  # bound default values after INVENTORY_FIELDS
    modes: Any  # the fields whose values need the database's preparation
    phone: Any


def _statements() -> _Statements:
    pfields = {f.name: f for f in Patent._meta.concrete_fields}
    ifields = {f.name: f for f in InventoryRecord._meta.concrete_fields}
    p_const, p_bound = split_defaults(
        [f for f in pfields.values() if not f.primary_key and f.name not in (*PATENT_FIELDS, *_STAMPS)]
    )
    i_const, i_bound = split_defaults(
        [f for f in ifields.values() if not f.primary_key and f.name not in (*INVENTORY_FIELDS, *_STAMPS)]
    )
    pcols = [str(pfields[n].column) for n in PATENT_FIELDS] + [str(f.column) for f, _ in p_bound] + [*_STAMPS]
    icols = (
        [str(ifields[n].column) for n in INVENTORY_FIELDS] + [str(f.column) for f, _ in i_bound] + [*_STAMPS]
    )
    return _Statements(
        patent_sql=insert_sql(Patent._meta.db_table, pcols, p_const),
        patent_rest=tuple(v for _, v in p_bound),
        inventory_sql=insert_sql(InventoryRecord._meta.db_table, icols, i_const),
        inventory_rest=tuple(v for _, v in i_bound),
        modes=ifields["conversion_modes"],
        phone=ifields["contact_phone"],
    )


class Inserts:
    """The run's INSERT statements (built on first use) and the calls that run them."""

    def __init__(self) -> None:
        self._statements: _Statements | None = None

    @property
    def statements(self) -> _Statements:
        if self._statements is None:
            self._statements = _statements()
        return self._statements

    def patents(
        self,
        params: list[tuple[Any, ...]],
        app_nos: list[str | None],
        pub_nos: list[str | None],
        now: dt.datetime,
    ) -> list[int]:
        """Insert new patents (PATENT_FIELDS values); their ids, in order."""
        if not params:
            return []
        st = self.statements
        stamp = connection.ops.adapt_datetimefield_value(now)
        tail = (*st.patent_rest, stamp, stamp)
        with connection.cursor() as cur:
            cur.executemany(st.patent_sql, [(*values, *tail) for values in params])
            if connection.vendor == "sqlite":
                # One INSERT statement run N times inside this transaction, which holds SQLite's only write
                # lock, with no rowid given: the new AUTOINCREMENT ids are consecutive, ending at the last.
                cur.execute("SELECT last_insert_rowid()")
                last = int(cur.fetchone()[0])
                return list(range(last - len(params) + 1, last + 1))
        # Other databases: the new ids by key (a new record has its 申请号 or, failing that, its publication number).
        ids_app = {r[1]: r[0] for r in select_keys("app_no", [a for a in app_nos if a])}
        ids_pub = {
            r[2]: r[0]
            for r in select_keys("pub_no", [b for a, b in zip(app_nos, pub_nos, strict=True) if not a and b])
        }
        return [ids_app[a] if a else ids_pub[b] for a, b in zip(app_nos, pub_nos, strict=True)]  # type: ignore[index]

    def new_inventory(
        self, *, org_id: int, filer_id: int | None, is_demo: bool, now: dt.datetime
    ) -> NewInventory:
        st = self.statements
        return NewInventory(
            org_id=org_id,
            filer_id=filer_id,
            is_demo=is_demo,
            rest=st.inventory_rest,
            stamp=connection.ops.adapt_datetimefield_value(now),
            modes_field=st.modes,
            phone_field=st.phone,
        )

    def inventory(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            with connection.cursor() as cur:
                cur.executemany(self.statements.inventory_sql, rows)
