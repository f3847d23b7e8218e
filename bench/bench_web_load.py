"""Benchmark: the dashboard under load on loopback — the overview and JSON endpoints at 200 requests/s for
30 s with p99 latency under 100 ms and no errors.

    python bench/bench_web_load.py                    # cold start, 200 req/s for 30 s, then the baseline
    python bench/bench_web_load.py --rate 100 --seconds 10 --cold-seconds 5 --port 8123

A real uvicorn server (one worker, the bundled package) runs in a child process on a free loopback port; an
asyncio client (16 keep-alive HTTP/1.1 connections on raw streams, so the client's own cost stays small) sends
requests open-loop at a fixed rate, cycling through the
overview page and JSON twins, so a slow answer does not slow the senders down. Cold start first: the time from
launching the server process until it accepts connections (the app builds its pages at start-up), then the
load at full rate from the first moment, with nothing requested before (``--cold-seconds``). Then each page is
requested once more and the steady load runs. Latency is measured from the scheduled send time, so queueing
counts.
Baseline, same run and rate: the same server serving a static file (``/static/style.css``, Starlette's
StaticFiles), the floor of what one uvicorn worker answers on this machine. Bounded: at most rate × seconds
requests, loopback only. Peak memory is the server process's peak RSS.
Saturation (``--saturation-seconds``, 0 to skip): the offered rate doubles from ``--rate`` (up to
``--saturation-max``) for the dashboard and for the static file alike; each one's saturation point is the highest
rate it held (achieved at least 95% of the offered rate, p99 under the target, no errors), printed with the
first rate it did not hold. On one core the client shares the machine with the server, so the point is a
lower bound of what the server alone would answer.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import socket
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

ENDPOINTS = [
    "/",
    "/index.json",
    "/markets.json",
    "/markets/hbm.json",
    "/layers/memory.json",
    "/entities/nvidia.json",
    "/deals.json",
    "/compute.json",
    "/search.json?q=nvidia",
    "/markets/hbm/screen.json?a=sk-hynix&b=samsung",
]
BASELINE = ["/static/style.css"]
P99_TARGET_MS = 100.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int, ready: mp.synchronize.Event, warm: bool = True) -> None:  # type: ignore[name-defined]
    """The dashboard of the bundled package on loopback; ``ready`` is set once it accepts connections (after
    the app's start-up has built its pages, unless ``warm`` is off)."""
    import uvicorn

    from marketpower.publish.web import create_app
    from marketpower.store import Store

    config = uvicorn.Config(
        create_app(Store.open(), warm=warm), host="127.0.0.1", port=port, log_level="error", access_log=False
    )
    server = uvicorn.Server(config)

    async def run() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        ready.set()
        await task

    asyncio.run(run())


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a running process, from /proc (Linux); None elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One HTTP/1.1 keep-alive GET on an open connection; returns the status code (body read and dropped)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    await reader.readexactly(length)
    return status


async def load(base: str, paths: list[str], rate: float, seconds: float, connections: int = 16) -> dict[str, float]:
    """Open-loop load: request i is due at start + i / rate and waits in a queue for a free keep-alive
    connection; latency runs from the due time to the last byte of the answer."""
    host, port = base.removeprefix("http://").split(":")
    total = int(rate * seconds)
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        while (item := await queue.get()) is not None:
            i, due = item
            try:
                if await _request(reader, writer, paths[i % len(paths)]) != 200:
                    errors += 1
            except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, int(port))
            latencies.append((time.perf_counter() - due) * 1000)
        writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    start = time.perf_counter() + 0.2
    for i in range(total):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        queue.put_nowait((i, due))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": total,
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": cuts[98],
        "max": max(latencies),
        "errors": errors,
    }


def held(result: dict[str, float], rate: float) -> bool:
    """Whether a load run kept up with its offered rate: 95% achieved, p99 under the target, no errors."""
    return result["rate"] >= 0.95 * rate and result["p99"] < P99_TARGET_MS and result["errors"] == 0


def saturation(base: str, paths: list[str], start: float, top: float, seconds: float) -> tuple[float | None, str]:
    """Double the offered rate from ``start`` up to ``top``; (highest rate held, the first run not held)."""
    best: float | None = None
    rate = start
    while rate <= top:
        result = asyncio.run(load(base, paths, rate, seconds))
        if not held(result, rate):
            return best, (
                f"not held at {rate:.0f} req/s: achieved {result['rate']:.0f} req/s, p99 {result['p99']:.1f} ms, "
                f"errors {result['errors']}"
            )
        best = rate
        rate *= 2
    return best, f"held up to --saturation-max {top:.0f} req/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument(
        "--cold-seconds", type=float, default=10.0, help="Load right after start-up, nothing requested before."
    )
    parser.add_argument("--port", type=int, default=None, help="Loopback port for the server (default: a free one).")
    parser.add_argument(
        "--no-warm-up", action="store_true", help="Start the app without building its pages first (for comparison)."
    )
    parser.add_argument(
        "--saturation-seconds", type=float, default=5.0, help="Seconds per step of the saturation ramp (0: skip)."
    )
    parser.add_argument("--saturation-max", type=float, default=6400.0, help="Highest rate the ramp offers.")
    args = parser.parse_args()
    port = args.port or free_port()
    saturated: list[tuple[str, float | None, str]] = []
    ready = mp.Event()
    launched = time.perf_counter()
    server = mp.Process(target=serve, args=(port, ready, not args.no_warm_up), daemon=True)
    server.start()
    try:
        if not ready.wait(300):
            sys.exit("server did not start within 300 s")
        startup_s = time.perf_counter() - launched
        base = f"http://127.0.0.1:{port}"
        cold = asyncio.run(load(base, ENDPOINTS, args.rate, args.cold_seconds))
        start = time.perf_counter()
        with httpx.Client(base_url=base, timeout=60.0) as client:
            for path in ENDPOINTS + BASELINE:
                client.get(path).raise_for_status()
        warm_s = time.perf_counter() - start
        ours = asyncio.run(load(base, ENDPOINTS, args.rate, args.seconds))
        floor = asyncio.run(load(base, BASELINE, args.rate, args.baseline_seconds))
        if args.saturation_seconds > 0:
            for name, paths in (("dashboard", ENDPOINTS), ("static file", BASELINE)):
                best, why = saturation(base, paths, args.rate, args.saturation_max, args.saturation_seconds)
                saturated.append((name, best, why))
        peak = peak_rss_mb(server.pid) if server.pid else None
    finally:
        server.terminate()
        server.join(10)
    ok = all(r["p99"] < P99_TARGET_MS and r["errors"] == 0 and r["rate"] >= 0.95 * args.rate for r in (cold, ours))
    print(f"start-up (process launched -> accepting connections, pages built): {startup_s:.2f} s")
    print(f"second request of each of {len(ENDPOINTS)} pages after the cold run: {warm_s:.2f} s")
    for name, r in (
        (f"cold start (first {args.cold_seconds:.0f} s after start-up)", cold),
        ("dashboard (overview + JSON twins)", ours),
        ("baseline (static file)", floor),
    ):
        print(
            f"{name}: {r['requests']} requests, achieved {r['rate']:.1f} req/s, p50 {r['p50']:.1f} ms, "
            f"p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms, errors {r['errors']}"
        )
    print(f"ratio p99 dashboard / static baseline = {ours['p99'] / floor['p99']:.2f}")
    for name, best, why in saturated:
        point = f"{best:.0f} req/s" if best is not None else f"below {args.rate:.0f} req/s"
        print(f"saturation point, {name}: {point} ({why})")
    print(
        f"target: {args.rate:.0f} req/s from the first second and for {args.seconds:.0f} s, p99 < "
        f"{P99_TARGET_MS:.0f} ms, no errors: "
        f"{'PASS' if ok else 'FAIL'}"
    )
    print(f"peak memory (server RSS): {peak:.0f} MB" if peak else "peak memory: not available on this system")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
