"""Bulk writes in plain SQL, for imports that write tens of thousands of rows.

Rows are written by plain SQL — multi-row INSERTs, UPDATEs by ``executemany`` — rather than the
ORM's ``bulk_create``/``bulk_update``, which build the SQL of every value of every object in
Python and cost several times the writes themselves on a large ledger (benchmark:
bench/bench_ledger_import.py). Values are plain Python values already checked; dates go through
the backend's adapter; tables and columns come from the models, and the database's constraints
still apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

BATCH = 500
"""Rows a statement (or keys an ``IN``), at most."""


def chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    """``items`` in slices of ``size``: as many keys as one ``IN (…)`` takes."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def quoted_columns(model: type[Model], names: Iterable[str]) -> list[str]:
    """The columns of ``model``'s fields (by attribute name: ``partner_id``), quoted."""
    columns = {field.attname: field.column for field in model._meta.concrete_fields}
    return [connection.ops.quote_name(str(columns[name])) for name in names]


def insert_rows(model: type[Model], names: Sequence[str],
                rows: Iterable[Sequence[Any]]) -> None:
    """INSERT ``rows`` (values in the order of ``names``, attribute names: ``unit_id``) into
    ``model``'s table without model instances. PostgreSQL: ``COPY``; otherwise multi-row
    INSERTs, as many rows a statement as the backend takes parameters (999 on SQLite)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(quoted_columns(model, names))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        one = f"({', '.join(['%s'] * len(names))})"
        limit = connection.features.max_query_params
        size = max(1, min(BATCH, limit // len(names))) if limit else BATCH
        for chunk in chunks(list(rows), size):
            values = ", ".join([one] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}",
                           [value for row in chunk for value in row])


def update_rows(model: type[Model], names: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """UPDATE by primary key: each row is the values of ``names``, then the key."""
    if not rows:
        return
    assignments = ", ".join(f"{column} = %s" for column in quoted_columns(model, names))
    (key,) = quoted_columns(model, [model._meta.pk.attname])
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {connection.ops.quote_name(model._meta.db_table)} SET "
                           f"{assignments} WHERE {key} = %s", rows)
