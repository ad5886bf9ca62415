"""Benchmark `launchspec validate` on specs shaped like real ones; prints ratios with spread.

    python bench/bench_validate.py                    # 2,000 specs of each shape, 5 rounds
    python bench/bench_validate.py --count 500 --rounds 3 --no-cjs
    python bench/bench_validate.py --memory 50000     # peak memory of one validate

Each round measures, back to back on the same files: a bare CSafeLoader parse, and `validate`
in-process with every cache emptied (as a fresh process would start). The ratio of the two is
taken per round, so a noisy machine moves both. check-jsonschema and one-file latency are
whole processes. Shapes (bench/specgen.py): `names` (each name its own literal text) and
`rich` (name, summary and a deadline each with their own text).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from specgen import SHAPES, generate  # noqa: E402

TARGETS = {"names": (2.0, 12.0), "rich": (3.0, 8.0)}  # (validate / bare parse, cjs / validate)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bare_parse(files: list[Path]) -> None:
    import yaml

    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def cold_validate(root: Path) -> None:
    from runner.project.validation import validate
    from runner.render import jinjacheck, skeleton, templating
    from runner.specs.config import load_config

    for cache in (jinjacheck.analyse, jinjacheck._analyse_skeleton, skeleton.split):
        cache.cache_clear()
    templating.cache_clear()
    result = validate(load_config(root))
    assert not result.diagnostics, result.diagnostics[:3]


def run(cmd: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} ... failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return took


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return (f"median {fmt.format(statistics.median(values))} "
            f"(min {fmt.format(min(values))}, max {fmt.format(max(values))}, n={len(values)})")


def bench_shape(tmp: Path, shape: str, count: int, rounds: int, cjs: bool) -> None:
    root = tmp / shape
    files = generate(root, count, shape)
    ratios, per_spec = [], []
    for _ in range(rounds):
        bare = timed(lambda: bare_parse(files))
        ours = timed(lambda: cold_validate(root))
        ratios.append(ours / bare)
        per_spec.append(ours / count * 1000)
    target, cjs_target = TARGETS[shape]
    print(f"[{shape}] {count} specs, validate in-process / bare C parse: {spread(ratios)} "
          f"(target <= {target})")
    print(f"[{shape}]   validate in-process ms per spec: {spread(per_spec, '{:.3f}')}")
    if not cjs:
        return
    sub = [run([str(BIN / "launchspec"), "-C", str(root), "validate"]) for _ in range(3)]
    schema = str(REPO / "schema" / "launchspec.schema.json")
    other = run([str(BIN / "check-jsonschema"), "--schemafile", schema, *map(str, files)])
    print(f"[{shape}]   launchspec validate (process): {spread(sub)} s; check-jsonschema "
          f"{other:.2f} s: {other / statistics.median(sub):.1f}x slower (target >= {cjs_target})")


def one_file_latency(tmp: Path) -> None:
    root = tmp / "one"
    generate(root, 1, "rich")
    run([str(BIN / "launchspec"), "-C", str(root), "validate"])  # writes .pyc and the cache
    took = [run([str(BIN / "launchspec"), "-C", str(root), "validate"]) * 1000 for _ in range(9)]
    bare = [run([sys.executable, "-c", "pass"]) * 1000 for _ in range(5)]
    print(f"one-file validate, whole process: {spread(took, '{:.0f}')} ms (target <= 120); "
          f"bare `python -c pass`: {statistics.median(bare):.0f} ms")


def peak_memory(tmp: Path, count: int) -> None:
    root = tmp / "memory"
    generate(root, count, "names")
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
            "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(BIN / "launchspec"), "-C", str(root),
                          "validate"], capture_output=True, text=True, check=True)  # fmt: skip
    mib = int(out.stdout.strip()) / 1024
    print(f"peak memory, validate of {count} specs: {mib:.0f} MiB "
          f"({mib * 1024 / count:.1f} KiB per spec; target 50,000 specs <= 250 MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--shape", choices=[*SHAPES, "both"], default="both")
    parser.add_argument("--no-cjs", action="store_true", help="skip check-jsonschema")
    parser.add_argument("--memory", type=int, metavar="N", help="only: peak memory for N specs")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.memory:
            peak_memory(Path(tmp), args.memory)
            return 0
        for shape in SHAPES if args.shape == "both" else [args.shape]:
            bench_shape(Path(tmp), shape, args.count, args.rounds, not args.no_cjs)
        one_file_latency(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
