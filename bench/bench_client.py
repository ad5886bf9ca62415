"""Benchmark TallyfyClient launches from a thread pool against a loopback sandbox.

    python bench/bench_client.py                      # (a) 300 launches, 50 ms latency, 8 threads
    python bench/bench_client.py --compare-async      # (a) plus a raw httpx AsyncClient baseline
    python bench/bench_client.py --throttle 1200 -n 1500   # (b) against the throttle bound

(a) prints wall time / ideal (N x latency / concurrency; target <= 1.3) and how many times
faster than a plain sequential loop of httpx POSTs (target >= 5). (b) prints wall time / the
throttle bound (the earliest the last launch could finish under the sandbox's sliding
one-minute window; target <= 1.15) and the number of failed launches (target 0).
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from runner.client.client import TallyfyClient
from runner.errors import ApiError

READY = re.compile(r"^sandbox ready url=(\S+) org=(\S+) token=(\S+)")
TEMPLATE = "efd12534ded06f20e21b33e8dacf1f15"
PRERUN = {
    "b4c890d5160634ef2b484da2eedb1d71": "Globex Corp",
    "55dc96de2bfdda9557c0e8a1481c4076": "2026-12-01T00:00:00Z",
    "89dc6258a8e9ef206778bc562ac2b4aa": {"id": 3, "text": "Enterprise"},
}
WINDOW_S = 60.0


@dataclass
class Sandbox:
    url: str
    org: str
    token: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Tallyfy-Client": "APIClient",
                "Accept": "application/json"}  # fmt: skip


@contextmanager
def sandbox(*flags: str) -> Iterator[Sandbox]:
    argv = [sys.executable, "-m", "runner.sandbox", "--host", "127.0.0.1", "--port", "0", *flags]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        match = READY.match(proc.stdout.readline().strip())
        if not match:
            raise SystemExit("the sandbox did not start")
        yield Sandbox(match[1], match[2], match[3])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def body(i: int) -> dict[str, Any]:
    return {"checklist_id": TEMPLATE, "name": f"Bench {i}", "prerun": PRERUN}


def with_client(sb: Sandbox, n: int, concurrency: int) -> tuple[float, int, TallyfyClient]:
    """Wall time and failures for N launches through one client shared by a thread pool."""
    client = TallyfyClient(sb.url, sb.org, sb.token, max_concurrency=concurrency)

    def launch(i: int) -> bool:
        try:
            client.launch_run(body(i))
            return True
        except ApiError as e:
            print(f"  launch {i} failed: {e}", file=sys.stderr)
            return False

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        ok = sum(pool.map(launch, range(n)))
    wall = time.perf_counter() - started
    client.close()
    return wall, n - ok, client


def sequential(sb: Sandbox, n: int) -> float:
    """A plain loop of httpx POSTs, one after the other, over one keep-alive connection."""
    started = time.perf_counter()
    with httpx.Client(headers=sb.headers()) as http:
        for i in range(n):
            http.post(f"{sb.url}/organizations/{sb.org}/runs", json=body(i)).raise_for_status()
    return time.perf_counter() - started


def raw_async(sb: Sandbox, n: int, concurrency: int) -> float:
    """The other model: httpx.AsyncClient with `concurrency` requests in flight."""

    async def main() -> float:
        gate = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(headers=sb.headers(), limits=limits) as http:

            async def one(i: int) -> None:
                async with gate:
                    url = f"{sb.url}/organizations/{sb.org}/runs"
                    (await http.post(url, json=body(i))).raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(n)))
            return time.perf_counter() - started

    return asyncio.run(main())


def throttle_bound(n: int, concurrency: int, latency: float, limit: int) -> float:
    """Earliest finish of N requests: `concurrency` slots, each request takes `latency`,
    and request k may not start before request k-limit started plus the window."""
    slots = [0.0] * concurrency
    starts: list[float] = []
    for k in range(n):
        free = heapq.heappop(slots)
        start = max(free, starts[k - limit] + WINDOW_S if k >= limit else 0.0)
        starts.append(start)
        heapq.heappush(slots, start + latency)
    return max(slots)


def bench_latency(args: argparse.Namespace) -> None:
    latency = args.latency_ms / 1000
    with sandbox("--latency-ms", str(args.latency_ms)) as sb:
        wall, failed, client = with_client(sb, args.n, args.concurrency)
        ideal = args.n * latency / args.concurrency
        print(f"client, {args.n} launches at concurrency {args.concurrency}: {wall:.2f} s, "
              f"ideal {ideal:.2f} s, ratio {wall / ideal:.2f} (target <= 1.3), "
              f"{args.n / wall:.0f} launches/s, failed {failed}, "
              f"{client.stats.requests} requests")  # fmt: skip
        if args.compare_async:
            for c in sorted({args.concurrency, 32}):
                a = raw_async(sb, args.n, c)
                print(f"raw httpx AsyncClient at {c} in flight: {a:.2f} s, {args.n / a:.0f}/s")
        if not args.skip_sequential:
            seq = sequential(sb, args.n)
            print(f"sequential httpx POST loop: {seq:.2f} s; the client is {seq / wall:.1f}x "
                  "faster (target >= 5)")  # fmt: skip


def bench_throttle(args: argparse.Namespace) -> None:
    latency = args.latency_ms / 1000
    flags = ("--latency-ms", str(args.latency_ms), "--throttle", str(args.throttle))
    with sandbox(*flags) as sb:
        wall, failed, client = with_client(sb, args.n, args.concurrency)
    bound = throttle_bound(args.n, args.concurrency, latency, args.throttle)
    s = client.stats
    print(f"client, {args.n} launches, throttle {args.throttle}/min, concurrency "
          f"{args.concurrency}: {wall:.2f} s, throttle bound {bound:.2f} s, ratio "
          f"{wall / bound:.3f} (target <= 1.15), failed {failed} (target 0); "
          f"{s.requests} requests, {s.throttled} answered 429, {s.retries} retries, "
          f"concurrency at the end {client.concurrency}")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("-n", type=int, default=300, help="launches (default 300)")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--latency-ms", type=int, default=50)
    p.add_argument("--throttle", type=int, default=0, help="requests per minute: mode (b)")
    p.add_argument("--skip-sequential", action="store_true")
    p.add_argument("--compare-async", action="store_true")
    args = p.parse_args()
    if args.throttle:
        bench_throttle(args)
    else:
        bench_latency(args)


if __name__ == "__main__":
    main()
