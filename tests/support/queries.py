"""Query budgets: a list must cost the same number of SQL queries with 1 row as with 20.

    def test_region_list_has_no_n_plus_one(client, db):
        assert_same_query_count(client, "/api/v1/regions?parent=510000", make_prefectures)

`make_rows(n)` creates n more rows that `url` lists. The helper creates `small` rows, requests the
page once to warm per-process caches (content types, site settings), counts the queries of a
second request, tops the rows up to `large`, counts again and fails, printing both query lists
side by side, if the counts differ. A page that does not show the new rows would pass vacuously,
so by default it also checks that the response grew (`check_grows`)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class QueryCount:
    url: str
    rows: int
    status: int
    queries: tuple[str, ...]
    body_size: int

    @property
    def count(self) -> int:
        return len(self.queries)

    def describe(self) -> str:
        lines = [f"GET {self.url} with {self.rows} row(s): {self.count} queries, HTTP {self.status}"]
        lines += [f"  {i:>3}. {sql}" for i, sql in enumerate(self.queries, 1)]
        return "\n".join(lines)


def count_queries(
    client, url: str, *, rows: int = 0, headers: Mapping[str, str] | None = None, using: str = DEFAULT_DB_ALIAS
) -> QueryCount:
    """The SQL queries one GET of `url` runs (on database `using`), uncached: public API answers
    are kept in the cache, and the budget is about what computing an answer costs."""
    cache.clear()
    with CaptureQueriesContext(connections[using]) as captured:
        response = client.get(url, headers=dict(headers or {}))
    body = b"" if getattr(response, "streaming", False) else response.content
    return QueryCount(
        url=url,
        rows=rows,
        status=response.status_code,
        queries=tuple(q["sql"] for q in captured.captured_queries),
        body_size=len(body),
    )


def assert_same_query_count(
    client,
    url: str,
    make_rows: Callable[[int], object],
    *,
    small: int = 1,
    large: int = 20,
    headers: Mapping[str, str] | None = None,
    expected_status: int = 200,
    check_grows: bool = True,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[QueryCount, QueryCount]:
    """Assert that GET `url` runs as many queries with `large` rows as with `small` (no N+1)."""
    __tracebackhide__ = True
    assert 0 < small < large, "small must be at least 1 and less than large"
    make_rows(small)
    client.get(url, headers=dict(headers or {}))  # warm-up: per-process caches are not the list's cost
    few = count_queries(client, url, rows=small, headers=headers, using=using)
    make_rows(large - small)
    many = count_queries(client, url, rows=large, headers=headers, using=using)

    for measured in (few, many):
        assert measured.status == expected_status, (
            f"GET {url} with {measured.rows} row(s) answered HTTP {measured.status}, expected {expected_status}"
        )
    if check_grows:
        assert many.body_size > few.body_size, (
            f"GET {url} did not grow from {small} to {large} rows ({few.body_size} → {many.body_size} bytes): "
            "make_rows must create rows this page lists, or the query count proves nothing"
        )
    if few.count != many.count:
        diff = "\n".join(
            difflib.unified_diff(
                list(few.queries), list(many.queries), f"{small} row(s)", f"{large} rows", lineterm="", n=1
            )
        )
        raise AssertionError(
            f"N+1 queries: GET {url} ran {few.count} queries with {small} row(s) and {many.count} with {large}.\n"
            f"{few.describe()}\n\n{many.describe()}\n\nDiff:\n{diff}"
        )
    return few, many
