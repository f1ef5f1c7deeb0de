"""Remembering lookups for the length of one bulk operation. An import of 5,000 rows asks 5,000
times which regions the actor may file in and which codes a county replaced; inside
`remembered_lookups()` each such answer is computed once. Outside it nothing is remembered, so a
single save always sees the current data."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")
_memo: ContextVar[dict | None] = ContextVar("venues_domain_memo", default=None)


@contextmanager
def remembered_lookups() -> Iterator[None]:
    token = _memo.set({}) if _memo.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _memo.reset(token)


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
