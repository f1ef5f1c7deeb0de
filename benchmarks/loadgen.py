"""An asynchronous HTTP load generator (asyncio + aiohttp) on loopback.

`concurrency` workers share one stream of requests and send them back to back, each waiting for
its answer (a closed loop: the figures say what the server sustains with that many clients
in flight). The run stops at whichever comes first: `total` requests sent, `duration` seconds
passed, or the stream running dry. Every request is recorded: label, status, latency."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp


@dataclass(frozen=True)
class Request:
    """One request of a scenario. `expect` lists the statuses that count as success (default:
    any 2xx); anything else, and any connection error or timeout, is an error."""

    path: str
    method: str = "GET"
    label: str = ""
    json: Any = None
    headers: Mapping[str, str] | None = None
    expect: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        return self.label or f"{self.method} {self.path}"

    def succeeded(self, status: int) -> bool:
        return status in self.expect if self.expect else 200 <= status < 300


@dataclass(frozen=True, slots=True)
class Sample:
    label: str
    status: int  # 0: no HTTP answer (see error)
    latency_ms: float
    ok: bool
    error: str = ""


@dataclass
class LoadResult:
    samples: list[Sample]
    elapsed_s: float
    concurrency: int
    stopped_by: str

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if not s.ok)

    def figures(self) -> dict:
        """Overall and per-label figures (latencies in milliseconds, nearest-rank percentiles)."""
        by_label: dict[str, list[Sample]] = defaultdict(list)
        for sample in self.samples:
            by_label[sample.label].append(sample)
        out = {
            "requests": len(self.samples),
            "concurrency": self.concurrency,
            "errors": self.errors,
            "duration_s": round(self.elapsed_s, 3),
            "stopped_by": self.stopped_by,
            "requests_per_s": round(len(self.samples) / self.elapsed_s, 1) if self.elapsed_s else 0.0,
            **latency_figures([s.latency_ms for s in self.samples]),
            "statuses": {str(k): v for k, v in sorted(Counter(s.status for s in self.samples).items())},
            "endpoints": {
                label: {
                    "requests": len(samples),
                    "errors": sum(1 for s in samples if not s.ok),
                    **latency_figures([s.latency_ms for s in samples]),
                }
                for label, samples in by_label.items()
            },
        }
        errors = Counter(s.error or f"HTTP {s.status}" for s in self.samples if not s.ok)
        if errors:
            out["error_kinds"] = dict(errors.most_common(10))
        return out


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (the value at or below which pct% fall)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_figures(latencies: list[float]) -> dict:
    values = sorted(latencies)
    return {
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(values[-1], 2) if values else 0.0,
        "mean_ms": round(sum(values) / len(values), 2) if values else 0.0,
    }


async def _send(session: aiohttp.ClientSession, request: Request) -> Sample:
    started = time.perf_counter()
    try:
        async with session.request(
            request.method, request.path, json=request.json, headers=request.headers, allow_redirects=False
        ) as response:
            await response.read()
            status = response.status
        error = ""
    except (aiohttp.ClientError, TimeoutError) as exc:
        status, error = 0, type(exc).__name__
    latency_ms = (time.perf_counter() - started) * 1000
    return Sample(request.name, status, latency_ms, ok=request.succeeded(status), error=error)


async def run_load(
    base_url: str,
    requests: Iterable[Request],
    *,
    total: int,
    concurrency: int,
    duration_s: float,
    timeout_s: float = 30.0,
) -> LoadResult:
    """Send up to `total` requests from `requests` with `concurrency` in flight, for at most
    `duration_s` seconds (requests in flight at the deadline are let finish, within timeout_s)."""
    stream: Iterator[Request] = iter(requests)
    samples: list[Sample] = []
    issued = 0
    stopped_by = "requests"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + duration_s

    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as session:

        async def worker() -> None:
            nonlocal issued, stopped_by
            while issued < total:
                if loop.time() >= deadline:
                    stopped_by = "duration"
                    return
                try:
                    request = next(stream)
                except StopIteration:
                    stopped_by = "exhausted"
                    return
                issued += 1
                samples.append(await _send(session, request))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return LoadResult(samples=samples, elapsed_s=elapsed, concurrency=concurrency, stopped_by=stopped_by)
