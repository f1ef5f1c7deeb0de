"""Racing real threads against the database: each thread has its own connection (Django opens one
per thread) and all of them start at the same instant behind a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections

JOIN_TIMEOUT_S = 60


@dataclass
class Outcome:
    index: int
    result: Any = None
    error: BaseException | None = None


@dataclass
class Race:
    outcomes: list[Outcome] = field(default_factory=list)
    stuck: int = 0  # threads still running after JOIN_TIMEOUT_S (a deadlock or a lost wake-up)

    @property
    def results(self) -> list[Any]:
        return [o.result for o in self.outcomes if o.error is None]

    def errors_of(self, kind: type[BaseException]) -> list[BaseException]:
        return [o.error for o in self.outcomes if isinstance(o.error, kind)]

    @property
    def unexpected(self) -> list[BaseException]:
        return [o.error for o in self.outcomes if o.error is not None]


def race(count: int, work: Callable[[int], Any]) -> Race:
    """Run work(0) … work(count - 1) in `count` threads released together; each closes its own
    database connections when done."""
    barrier = threading.Barrier(count)
    outcomes = [Outcome(i) for i in range(count)]

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT_S)
            outcomes[i].result = work(i)
        except BaseException as exc:  # every failure is reported to the test
            outcomes[i].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT_S)
    return Race(outcomes=outcomes, stuck=sum(1 for t in threads if t.is_alive()))
