"""Raw SQL of the patent import's hot path: key lookups with one bound list, and INSERT statements with constants.

One `%s` per value would give a new statement for every batch size; these helpers keep the statement text the
same for every batch, so the database's statement cache holds one compiled statement.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from panhuo.common.idsets import in_list
from panhuo.patents.models import InventoryRecord, Patent

KeyRow = tuple[int, str | None, str | None, str]  # (id, app_no, pub_no, content_hash)


def any_key(column: str, keys: list[str]) -> bool:
    """Whether any patent has one of `keys` in `column` (stops at the first)."""
    if not keys:
        return False
    table = connection.ops.quote_name(Patent._meta.db_table)
    where, params = in_list(column, keys)
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1", params)  # noqa: S608
        return cur.fetchone() is not None


def select_keys(column: str, keys: list[str]) -> list[KeyRow]:
    """(id, app_no, pub_no, content_hash) of the patents whose `column` is one of `keys` (raw SQL: hot path)."""
    if not keys:
        return []
    table = connection.ops.quote_name(Patent._meta.db_table)
    where, params = in_list(column, keys)
    with connection.cursor() as cur:
        cur.execute(f"SELECT id, app_no, pub_no, content_hash FROM {table} WHERE {where}", params)  # noqa: S608
        return list(cur.fetchall())


def select_inventory(org_id: int, patent_ids: list[int]) -> dict[int, dict[str, Any]]:
    """patent id -> {id, state, college_id} of this tenant's 建档 records."""
    if not patent_ids:
        return {}
    table = connection.ops.quote_name(InventoryRecord._meta.db_table)
    where, params = in_list("patent_id", patent_ids)
    sql = f"SELECT patent_id, id, state, college_id FROM {table} WHERE organization_id = %s AND {where}"  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(sql, [org_id, *params])
        return {
            pid: {"id": rid, "state": state, "college_id": cid} for pid, rid, state, cid in cur.fetchall()
        }


def _literal(value: Any) -> str | None:
    """`value` as an SQL literal where it is None / bool / int / plain ASCII text; None otherwise."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        if connection.vendor == "postgresql":
            return "TRUE" if value else "FALSE"
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    return None


def split_defaults(fields: list[Any]) -> tuple[list[tuple[str, str]], list[tuple[Any, Any]]]:
    """(column, SQL literal) for defaults that are None / bool / int / plain str; (field, value) for the rest."""
    const: list[tuple[str, str]] = []
    bound: list[tuple[Any, Any]] = []
    for f in fields:
        value = f.get_db_prep_save(f.get_default(), connection)
        literal = _literal(value)
        if literal is None:
            bound.append((f, value))
        else:
            const.append((str(f.column), literal))
    return const, bound


def insert_sql(table: str, cols: list[str], constants: list[tuple[str, str]]) -> str:
    q = connection.ops.quote_name
    names = ", ".join([q(c) for c in cols] + [q(c) for c, _ in constants])
    values = ", ".join(["%s"] * len(cols) + [literal for _, literal in constants])
    return f"INSERT INTO {q(table)} ({names}) VALUES ({values})"  # noqa: S608 - identifiers and model defaults
