"""Benchmark scenarios: one module each. A scenario module defines

    NAME = "home"                      # the database is bench_<NAME>
    DESCRIPTION = "one line"
    DEFAULTS = {"requests": 5000, "concurrency": 16, "duration": 60}   # optional
    SERVER_ENV = {...}                 # optional: extra environment for `make serve`
    READY_PATH = "/"                   # optional: polled until the server answers

    def prepare(database_url) -> object        # load the data; Django is set up on that database
    def requests(prepared) -> list | iterator   # a list is cycled; an iterator ends the run when dry
    def warmup(prepared) -> list                # optional: sent first, not counted
    def figures(result, prepared) -> dict       # optional: scenario-specific keys for the JSON line
    def main(args) -> int                       # optional: drives the whole run itself (booking_rush)

Requests are benchmarks.loadgen.Request objects; `expect` names the statuses that are success
(default 2xx), so a booking rush can count 409 slot_taken as a correct answer."""

from __future__ import annotations

import pkgutil
from importlib import import_module
from pathlib import Path
from types import ModuleType


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))


def load(name: str) -> ModuleType:
    name = name.replace("-", "_")  # `booking-rush` is the module booking_rush
    if name not in available():
        raise SystemExit(f"unknown scenario {name!r}; choose one of: {', '.join(available())}")
    return import_module(f"{__name__}.{name}")
