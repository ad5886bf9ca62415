"""Benchmark: time per spec from 1,000 to 50,000 specs for validate, offline plan, no-op apply.

    python bench/bench_scale.py                         # 1000,5000,20000,50000
    python bench/bench_scale.py --sizes 1000,5000 --no-apply

Specs come from bench/specgen.py (`names`: each name its own literal text, owners, deadlines,
several steps). Each command is a whole process, as a user runs it. The no-op apply runs
against a loopback sandbox where every spec was launched first (the launching is not timed).
Target: time per spec within 20% between the smallest and the largest size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
import bench_apply  # noqa: E402
from specgen import generate  # noqa: E402

from tests.support.sandbox import SandboxProcess, start_sandbox  # noqa: E402


def cli(root: Path, sb: SandboxProcess | None, *args: str) -> float:
    return bench_apply.cli(root, sb, *args)[0]


def measure(tmp: Path, n: int, apply: bool) -> dict[str, float]:
    """Seconds of each command over `n` specs."""
    root = tmp / f"n{n}"
    generate(root, n, "names")
    out = {"validate": cli(root, None, "validate"),
           "plan --offline": cli(root, None, "plan", "--offline")}
    if apply:
        sb = start_sandbox("--admin")
        try:
            cli(root, sb, "apply", "--yes", "--no-lease", "--concurrency", "16",
                "--max-launches", str(n))
            out["no-op apply"] = cli(root, sb, "apply", "--yes", "--no-lease")
        finally:
            sb.stop()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000,50000")
    parser.add_argument("--no-apply", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        fixed = measure(Path(tmp), 1, not args.no_apply)  # start-up and reads, once a command
        print("one spec: " + ", ".join(f"{k} {v:.2f} s" for k, v in fixed.items()))
        for n in sizes:
            took = measure(Path(tmp), n, not args.no_apply)
            rows[n] = {k: (v - fixed[k]) / (n - 1) * 1000 for k, v in took.items()}
            print(f"{n:>6} specs: " + ", ".join(
                f"{k} {v:.1f} s = {rows[n][k]:.3f} ms/spec beyond the one-spec time"
                for k, v in took.items()), flush=True)
    for command in rows[sizes[0]]:
        per = [rows[n][command] for n in sizes]
        print(f"{command}: time per spec, largest/smallest size {per[-1] / per[0]:.2f} "
              f"(max/min over sizes {max(per) / min(per):.2f}; target within 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
