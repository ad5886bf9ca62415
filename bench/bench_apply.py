"""Benchmark `launchspec apply` end to end against a loopback sandbox; prints ratios.

    python bench/bench_apply.py                 # (a), (b) and (c)
    python bench/bench_apply.py --only a        # one of them; -n sets (a)'s launch count

(a) N launches (default 300), sandbox answering after 50 ms, --concurrency 8: wall time of the
    apply as a ratio to the ideal (N x 50 ms / 8; target <= 1.3) and how many times faster
    than a plain sequential loop of httpx POSTs (target >= 5).
(b) 1,500 specs against a sandbox throttled to 1,200 requests a minute (sliding window): ratio
    to the throttle bound (a minute per full 1,200 requests answered; target <= 1.15), zero
    failed launches.
(c) A no-op apply over 5,000 launched specs: zero write requests, time as a ratio to an
    offline plan of the same project (target <= 1.5).
(d) History: an apply of 10 new specs after an earlier apply, against a template with 10,000
    earlier runs and against an empty organisation (sandbox answering after 50 ms): run-list
    pages read (target <= 3) and the time ratio (target <= 1.2), over --rounds rounds.
Every figure comes from one run on this machine; ratios, not absolute times, are the point.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.support.sandbox import SandboxProcess, start_sandbox  # noqa: E402

SPEC = """\
id: close-{i:05d}
template: 7bd3db0bb939aef446ffc68c3e8e653f
name: "Month-end close {i:05d} - {{{{ vars.entity }}}}"
owner: mei@example.com
vars: {{entity: Acme Inc.}}
prerun:
  Period: "2026-11"
  Entity: "{{{{ vars.entity }}}}"
tasks:
  Reconcile bank accounts:
    deadline: "{{{{ launch.at | add_business_days(2) }}}}"
"""


def project(root: Path, n: int) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "specs").mkdir(parents=True)
    for start in range(0, n, 500):
        docs = [SPEC.format(i=i) for i in range(start, min(n, start + 500))]
        (root / "specs" / f"close-{start:05d}.yaml").write_text("---\n".join(docs))
    return root


def cli(root: Path, sb: SandboxProcess | None, *args: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALLYFY_")}
    if sb is not None:
        env.update(sb.env())
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "runner", "-C", str(root), *args],
                          capture_output=True, text=True, env=env, timeout=3600)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 2):
        raise SystemExit(f"launchspec {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return took, proc.stdout


def stats(sb: SandboxProcess) -> dict[str, Any]:
    base = sb.url.rsplit("/api", 1)[0]
    body: dict[str, Any] = httpx.get(f"{base}/_sandbox/stats", timeout=10).json()
    return body


def writes(sb: SandboxProcess) -> int:
    by_method = stats(sb)["requests"]["by_method"]
    return sum(int(by_method.get(m, 0)) for m in ("POST", "PUT", "DELETE", "PATCH"))


def sequential_posts(sb: SandboxProcess, n: int) -> float:
    headers = {"Authorization": f"Bearer {sb.token}", "X-Tallyfy-Client": "APIClient"}
    body = {"checklist_id": "7bd3db0bb939aef446ffc68c3e8e653f", "name": "seq", "prerun": {
        "de2e7cb6223698268b40e953d3692403": "2026-11",
        "bb45365012ec3bf9d8a3a9105ee7c16a": {"id": 41, "text": "Acme Inc."}}}
    start = time.perf_counter()
    with httpx.Client(headers=headers, timeout=30) as client:
        for _ in range(n):
            client.post(f"{sb.url}/organizations/{sb.org}/runs", json=body).raise_for_status()
    return time.perf_counter() - start


def bench_a(tmp: Path, n: int) -> None:
    root = project(tmp / "a", n)
    sb = start_sandbox("--latency-ms", "50", "--admin")
    try:
        took, out = cli(root, sb, "apply", "--yes", "--concurrency", "8", "--max-launches", str(n))
        launched = len(json.loads((root / "launchspec.lock.json").read_text())["launches"])
        phase = float(re.search(r" in ([0-9.]+) s\.", out)[1])  # type: ignore[index]
        ideal = n * 0.050 / 8
        seq = sequential_posts(sb, n)
    finally:
        sb.stop()
    print(f"(a) {launched}/{n} launched; whole command {took:.2f} s, launch phase {phase:.2f} s; "
          f"ideal {ideal:.2f} s: ratio {took / ideal:.2f} whole, {phase / ideal:.2f} launch phase "
          f"(target <= 1.3); sequential httpx loop {seq:.2f} s: {seq / took:.1f}x slower than "
          f"the whole command (target >= 5)")


def bench_b(tmp: Path, n: int) -> None:
    root = project(tmp / "b", n)
    sb = start_sandbox("--throttle", "1200", "--admin")
    try:
        took, _ = cli(root, sb, "apply", "--yes", "--concurrency", "8", "--max-launches", str(n))
        s = stats(sb)
    finally:
        sb.stop()
    launched = len(json.loads((root / "launchspec.lock.json").read_text())["launches"])
    sent = int(s["requests"]["total"]) - int(s["faults"]["throttle"])
    # Sliding one-minute window: request k > 1200 cannot be answered before request k - 1200
    # is a minute old, so the last one comes at least a minute per full 1,200 after the first.
    bound = 60.0 * ((sent - 1) // 1200)
    ratio = took / bound if bound else float("nan")
    print(f"(b) {launched}/{n} launched, {n - launched} failed, {sent} requests answered in "
          f"{took:.2f} s; throttle bound {bound:.2f} s: ratio {ratio:.2f} (target <= 1.15)"
          + ("" if bound else " (under one minute's budget: raise -n to exceed the throttle)"))


def bench_c(tmp: Path, n: int = 5000) -> None:
    root = project(tmp / "c", n)
    sb = start_sandbox("--admin")
    try:
        cli(root, sb, "apply", "--yes", "--concurrency", "16", "--max-launches", str(n))
        before = writes(sb)
        noop, _ = cli(root, sb, "apply", "--yes")
        after = writes(sb)
    finally:
        sb.stop()
    offline, _ = cli(root, None, "plan", "--offline")
    print(f"(c) no-op apply over {n} launched specs: {after - before} write requests "
          f"(target 0); {noop:.2f} s vs offline plan {offline:.2f} s: ratio "
          f"{noop / offline:.2f} (target <= 1.5)")


HAND_MADE = {"checklist_id": "7bd3db0bb939aef446ffc68c3e8e653f", "name": "Hand-made close",
             "prerun": {"de2e7cb6223698268b40e953d3692403": "2026-01",
                        "bb45365012ec3bf9d8a3a9105ee7c16a": {"id": 41, "text": "Acme Inc."}}}


def _pages(sb: SandboxProcess) -> int:
    return int(stats(sb)["run_list_pages"].get("7bd3db0bb939aef446ffc68c3e8e653f", 0))


def _history_round(tmp: Path, history: int, rnd: int) -> tuple[float, int]:
    """Seconds and run-list pages of the second of two applies of 10 new specs each."""
    root = project(tmp / f"d{history}-{rnd}", 20)
    docs = (root / "specs" / "close-00000.yaml").read_text().split("---\n")
    (root / "specs" / "close-00000.yaml").write_text("---\n".join(docs[:10]))
    sb = start_sandbox("--latency-ms", "50", "--admin")
    try:
        if history:
            base = sb.url.rsplit("/api", 1)[0]
            httpx.post(f"{base}/_sandbox/history", json={"launch": HAND_MADE, "count": history},
                       timeout=300).raise_for_status()
        cli(root, sb, "apply", "--yes", "--no-lease")
        (root / "specs" / "close-00010.yaml").write_text("---\n".join(docs[10:]))
        before = _pages(sb)
        took, _ = cli(root, sb, "apply", "--yes", "--no-lease")
        return took, _pages(sb) - before
    finally:
        sb.stop()


def bench_d(tmp: Path, rounds: int) -> None:
    ratios, pages = [], []
    for rnd in range(rounds):
        full, read = _history_round(tmp, 10_000, rnd)
        empty, _ = _history_round(tmp, 0, rnd)
        ratios.append(full / empty)
        pages.append(read)
    print(f"(d) 10 new specs, template with 10,000 earlier runs vs none: time ratio median "
          f"{statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f}, "
          f"n={rounds}; target <= 1.2); run-list pages read {max(pages)} at most (target <= 3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["a", "b", "c", "d"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "a"):
            bench_a(Path(tmp), args.n)
        if args.only in (None, "b"):
            bench_b(Path(tmp), max(args.n, 1500))
        if args.only in (None, "c"):
            bench_c(Path(tmp))
        if args.only in (None, "d"):
            bench_d(Path(tmp), args.rounds)


if __name__ == "__main__":
    main()
