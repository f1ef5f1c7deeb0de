"""The few SQL statements ingestion needs that the ORM cannot say: inserts that report which rows
were new, upserts that add to counters, and window sums. Written once for SQLite (3.35+) and
PostgreSQL; the differences are the functions in this module."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if is_postgres() else f"MAX({a}, {b})"


def plus(column: str, *, hours: int) -> str:
    """`column` + a number of hours (bucket ends: Asia/Shanghai has no daylight saving time)."""
    if is_postgres():
        return f"({column} + INTERVAL '{int(hours)} hours')"
    return f"datetime({column}, '+{int(hours)} hours')"


def db_datetime(value):
    return connection.ops.adapt_datetimefield_value(value)


def datetime_adapter():
    """db_datetime, or nothing to do on PostgreSQL (psycopg sends aware datetimes as they are)."""
    return _same if is_postgres() else db_datetime


def _same(value):
    return value


def db_date(value):
    return connection.ops.adapt_datefield_value(value)


def chunks(rows: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def values_clause(rows: Sequence[Sequence], width: int) -> tuple[str, list]:
    one = "(" + ", ".join(["%s"] * width) + ")"
    params: list = []
    for row in rows:
        params.extend(row)
    return ", ".join([one] * len(rows)), params


def rows_source(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence]) -> tuple[str, list]:
    """A SELECT yielding `rows` as a relation with `columns` ((name, PostgreSQL type) pairs),
    with a handful of parameters however many rows there are: arrays and unnest() on PostgreSQL,
    one JSON document and json_each() on SQLite. (A VALUES list with a parameter per value
    costs more to prepare than to run at a few thousand rows.)"""
    names = ", ".join(name for name, _type in columns)
    if is_postgres():
        arrays = ", ".join(f"%b::{pg_type}[]" for _name, pg_type in columns)
        columns_of_rows = [list(column) for column in zip(*rows, strict=True)]
        return f"SELECT * FROM unnest({arrays}) AS src({names})", columns_of_rows  # noqa: S608 - our column names
    picks = ", ".join(f"json_extract(value, '$[{i}]') AS {name}" for i, (name, _type) in enumerate(columns))
    return f"SELECT {picks} FROM json_each(%s)", [json.dumps([list(row) for row in rows], default=str)]  # noqa: S608


def _cursor():
    """On PostgreSQL a psycopg cursor that binds parameters on the server (Django's binds them
    into the SQL text on the client, which for arrays of thousands of values costs more than the
    insert itself); elsewhere Django's cursor. Either way on Django's connection, inside its
    transaction."""
    if is_postgres():
        import psycopg

        connection.ensure_connection()
        return psycopg.Cursor(connection.connection)
    return connection.cursor()


def execute(sql: str, params: Sequence = ()) -> list[tuple]:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.description is None:
            return []
        return cursor.fetchall()


def execute_rowcount(sql: str, params: Sequence = ()) -> int:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
