"""Benchmark the sandbox: launches per second it sustains, and its memory with many runs."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

READY = re.compile(r"sandbox ready url=(\S+) org=(\S+) token=(\S+)")
TEMPLATE = "7bd3db0bb939aef446ffc68c3e8e653f"  # Month-end Close in the default seed
BODY = {
    "checklist_id": TEMPLATE,
    "prerun": {
        "de2e7cb6223698268b40e953d3692403": "2026-11",
        "bb45365012ec3bf9d8a3a9105ee7c16a": {"id": 41, "text": "Acme Inc."},
    },
}


def start(extra: list[str]) -> tuple[subprocess.Popen[str], str, str, str]:
    """Start `python -m runner.sandbox --port 0` and wait for its ready line."""
    argv = [sys.executable, "-m", "runner.sandbox", "--port", "0", *extra]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = READY.search(line)
    if not match:
        proc.kill()
        raise SystemExit(f"sandbox did not start: {line!r}")
    return proc, match[1], match[2], match[3]


def rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def launch_many(url: str, org: str, token: str, count: int, threads: int) -> float:
    """Launch `count` runs from `threads` threads (one client each); returns seconds taken."""
    headers = {"Authorization": f"Bearer {token}", "X-Tallyfy-Client": "bench"}
    local = threading.local()
    failures: list[int] = []

    def one(_: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, headers=headers, timeout=30)
        answer = local.client.post(f"/organizations/{org}/runs", json=BODY)
        if answer.status_code != 201:
            failures.append(answer.status_code)

    began = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(count)))
    took = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{len(failures)} launches failed: {sorted(set(failures))}")
    return took


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--launches", type=int, default=2000, help="launches timed for the rate")
    p.add_argument("--stored", type=int, default=10_000, help="runs stored for the memory figure")
    p.add_argument("--db", help="SQLite file for the sandbox (default: in memory)")
    args = p.parse_args()
    proc, url, org, token = start(["--db", args.db] if args.db else [])
    try:
        idle = rss_mib(proc.pid)
        took = launch_many(url, org, token, args.launches, args.threads)
        rate, each_ms = args.launches / took, took / args.launches * 1000
        print(f"launches: {args.launches} from {args.threads} threads in {took:.2f} s "
              f"= {rate:.0f} launches/s ({each_ms:.2f} ms each)")
        rest = max(0, args.stored - args.launches)
        launch_many(url, org, token, rest, args.threads)
        listed = httpx.get(f"{url}/organizations/{org}/runs?per_page=1",
                           headers={"Authorization": f"Bearer {token}", "X-Tallyfy-Client": "b"})
        total = listed.json()["meta"]["pagination"]["total"]
        print(f"memory: {idle:.1f} MiB RSS idle, {rss_mib(proc.pid):.1f} MiB RSS "
              f"with {total} runs stored ({'file ' + args.db if args.db else 'in-memory db'})")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
