"""Large sets of ids between Python and the database without one query parameter (and one Python object) per id.

- `id_array(queryset)`: the ids a one-column query selects, aggregated into one text by the database and parsed by
  numpy (500,000 ids in ~0.07 s on SQLite, against ~0.6 s as rows);
- `ids_in(ids)`: the right-hand side of an `__in` filter holding any number of ids as ONE parameter (a JSON array
  on SQLite, an array on PostgreSQL), so Django does not prepare a parameter per id and SQLite's parameter limit
  never splits the query;
- `in_list(column, values)`: the same rule as a raw SQL condition, for ids or text keys (the patent import's hot
  path): the statement text is the same for every batch, so the database's statement cache holds one compiled
  statement (one `%s` per value gave SQLite up to 128 cached 5,000-value statements, tens of MB, each compiled
  again).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

_AGGREGATE = {
    "sqlite": "SELECT group_concat(landscape_id, ',') FROM ({inner}) AS ids",
    "postgresql": "SELECT string_agg(CAST(landscape_id AS text), ',') FROM ({inner}) AS ids",
}


def id_array(queryset: QuerySet[Any], field: str = "pk") -> np.ndarray:
    """The values of the integer `field` of every row of `queryset` (duplicates kept), as an int64 array."""
    values = queryset.order_by().values(landscape_id=F(field))
    template = _AGGREGATE.get(connection.vendor)
    if template is None:  # another database: rows
        return np.fromiter((row["landscape_id"] for row in values), dtype=np.int64)
    inner, params = values.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(template.format(inner=inner), params)
        text = cursor.fetchone()[0]
    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


_JSON_VALUES = "SELECT value FROM json_each(%s)"  # SQLite: the rows of one JSON array parameter


def ids_in(ids: Iterable[int] | np.ndarray) -> Any:
    """`field__in=ids_in(ids)`: the ids as one parameter (see the module docstring)."""
    values = ids.tolist() if isinstance(ids, np.ndarray) else [int(i) for i in ids]
    if connection.vendor == "sqlite":
        return RawSQL(_JSON_VALUES, [json.dumps(values)])  # noqa: S611 - constant SQL, one bound parameter
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [values])
    return values


def in_list(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column IN (values)` as SQL text and its parameters, the values as ONE parameter (see the module
    docstring); `column` is the caller's own SQL, never user input."""
    if connection.vendor == "sqlite":
        return f"{column} IN ({_JSON_VALUES})", [json.dumps(values)]
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)
