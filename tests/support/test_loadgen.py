"""The benchmark runner's load generator, against a tiny local aiohttp server."""

from __future__ import annotations

import asyncio
import itertools

from aiohttp import web

from benchmarks.loadgen import Request, percentile, run_load


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]

    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 99) == 99.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0


async def _serve_and_load(requests, **limits):
    async def ok(request):
        return web.Response(text="ok")

    async def missing(request):
        return web.Response(status=404)

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/missing", missing)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        return await run_load(f"http://127.0.0.1:{port}", requests, **limits)
    finally:
        await runner.cleanup()


def test_run_load_stops_at_the_request_count_and_counts_non_2xx_as_errors():
    requests = itertools.cycle([Request("/ok", label="ok"), Request("/missing", label="missing")])

    result = asyncio.run(_serve_and_load(requests, total=40, concurrency=4, duration_s=30))
    figures = result.figures()

    assert figures["requests"] == 40
    assert figures["stopped_by"] == "requests"
    assert figures["errors"] == 20
    assert (figures["endpoints"]["ok"]["requests"], figures["endpoints"]["ok"]["errors"]) == (20, 0)
    assert (figures["endpoints"]["missing"]["requests"], figures["endpoints"]["missing"]["errors"]) == (20, 20)
    assert figures["error_kinds"] == {"HTTP 404": 20}
    assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]


def test_run_load_counts_an_expected_status_as_success_and_stops_when_the_stream_ends():
    requests = [Request("/missing", expect=(404,))] * 5

    result = asyncio.run(_serve_and_load(requests, total=100, concurrency=2, duration_s=30))

    assert (len(result.samples), result.errors, result.stopped_by) == (5, 0, "exhausted")


def test_run_load_stops_at_the_time_limit():
    result = asyncio.run(_serve_and_load(itertools.repeat(Request("/ok")), total=10**9, concurrency=2, duration_s=0.5))

    assert result.stopped_by == "duration"
    assert 0.4 < result.elapsed_s < 5
