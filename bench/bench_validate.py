"""Benchmark `launchspec validate` on specs shaped like real ones; prints ratios with spread.

    python bench/bench_validate.py                    # 2,000 `rich` specs, 3 rounds, all targets
    python bench/bench_validate.py --shape both --count 500 --rounds 1
    python bench/bench_validate.py --memory 50000     # also: peak memory of one validate

Every round measures, back to back on the same files (so a noisy machine moves both sides of
each ratio), in wall time and in CPU time (on a shared machine, CPU time is what the program
costs; on one core the two are the same when the machine is idle):

- pinned to one core (this process and its children): a bare CSafeLoader parse and
  `validate` in-process with every cache emptied (as a fresh process starts), and
  `launchspec validate` against `check-jsonschema` on the same files, whole processes;
- on every core this process may use: the same two processes again;
- one file: `launchspec validate` against `check-jsonschema` on that one file.

Shapes (bench/specgen.py): `names` (each name its own literal text) and `rich` (name, summary
and a deadline each with their own text).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCHEMA = str(REPO / "schema" / "launchspec.schema.json")
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from specgen import SHAPES, generate  # noqa: E402

# (name, target, True when the figure must be at least the target, else at most)
TARGETS = {
    "parse": ("one core, validate in-process / bare C parse, wall", 2.5, False),
    "parse-cpu": ("one core, validate in-process / bare C parse, CPU", 2.5, False),
    "cjs1": ("one core, check-jsonschema / launchspec validate, wall", 6.0, True),
    "cjs1-cpu": ("one core, check-jsonschema / launchspec validate, CPU", 6.0, True),
    "cjs2": ("all cores, check-jsonschema / launchspec validate, wall", 8.3, True),
    "one": ("one file, launchspec validate / check-jsonschema, wall", 0.5, False),
    "one-cpu": ("one file, launchspec validate / check-jsonschema, CPU", 0.5, False),
}
Times = tuple[float, float]  # (wall, CPU) seconds


def timed(fn: Callable[[], object]) -> Times:
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare_parse(files: list[Path]) -> None:
    import yaml

    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def clear_caches() -> None:
    """Empty every memoised function of the runner, as a fresh process would start."""
    for name, module in list(sys.modules.items()):
        if name.startswith("runner."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def cold_validate(root: Path) -> None:
    from runner.project.validation import validate
    from runner.specs.config import load_config

    clear_caches()
    result = validate(load_config(root))
    assert not result.diagnostics, result.diagnostics[:3]


def run(cmd: list[str]) -> Times:
    # As installed by pip: compiled modules cached (a warm-up run writes them).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO)  # the runner of this checkout, whichever is installed
    start, cpu = time.perf_counter(), _children_cpu()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    took = time.perf_counter() - start, _children_cpu() - cpu
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} ... failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return took


def ratios(a: Times, b: Times) -> Times:
    return a[0] / b[0], a[1] / b[1]


def ours(root: Path) -> Times:
    return run([sys.executable, "-m", "runner", "-C", str(root), "validate"])


def theirs(files: list[Path]) -> Times:
    return run([str(BIN / "check-jsonschema"), "--schemafile", SCHEMA, *map(str, files)])


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return (f"median {fmt.format(statistics.median(values))} "
            f"(min {fmt.format(min(values))}, max {fmt.format(max(values))}, n={len(values)})")


def verdict(key: str, values: list[float]) -> str:
    """The figure's spread, and whether its median meets the target."""
    name, target, at_least = TARGETS[key]
    middle = statistics.median(values)
    ok = middle >= target if at_least else middle <= target
    sign = ">=" if at_least else "<="
    return f"{name}: {spread(values)}; target {sign} {target}: {'met' if ok else 'MISSED'}"


def bench_shape(tmp: Path, shape: str, count: int, rounds: int) -> None:
    root = tmp / shape
    files = generate(root, count, shape)
    ours(root)  # warm-up: writes the .pyc files
    cores = os.sched_getaffinity(0)
    figures: dict[str, list[float]] = {k: [] for k in ("parse", "parse-cpu", "cjs1", "cjs1-cpu")}
    figures["cjs2"] = []
    per_spec = []
    for _ in range(rounds):
        os.sched_setaffinity(0, {min(cores)})
        try:
            bare = timed(lambda: bare_parse(files))
            inproc = timed(lambda: cold_validate(root))
            _add(figures, "parse", ratios(inproc, bare))
            per_spec.append(inproc[1] / count * 1000)
            _add(figures, "cjs1", ratios(theirs(files), ours(root)))
        finally:
            os.sched_setaffinity(0, cores)
        figures["cjs2"].append(theirs(files)[0] / ours(root)[0])
    print(f"[{shape}] {count} specs; validate in-process on one core: "
          f"{spread(per_spec, '{:.3f}')} ms of CPU per spec")
    for key, values in figures.items():
        print(f"[{shape}]   {verdict(key, values)}")
    print(f"[{shape}]   ({len(cores)} cores for 'all cores')")


def _add(figures: dict[str, list[float]], key: str, both: Times) -> None:
    figures[key].append(both[0])
    figures[f"{key}-cpu"].append(both[1])


def _middle(runs: list[Times]) -> Times:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def one_file(tmp: Path, rounds: int) -> None:
    root = tmp / "one"
    files = generate(root, 1, "rich")
    ours(root)  # writes the .pyc files
    figures: dict[str, list[float]] = {"one": [], "one-cpu": []}
    for _ in range(rounds):
        took = _middle([ours(root) for _ in range(3)])
        other = _middle([theirs(files) for _ in range(3)])
        _add(figures, "one", ratios(took, other))
    for key, values in figures.items():
        print(f"one file: {verdict(key, values)}")
    print(f"one file: (last round, wall: {took[0] * 1000:.0f} ms vs {other[0] * 1000:.0f} ms)")


def peak_memory(tmp: Path, count: int) -> None:
    root = tmp / "memory"
    generate(root, count, "names")
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
            "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "runner", "-C",
                          str(root), "validate"], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    mb = int(out.stdout.strip()) * 1024 / 1e6
    print(f"peak memory, validate of {count} specs: {mb:.0f} MB "
          f"({mb * 1000 / count:.1f} kB per spec; target 50,000 specs <= 250 MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shape", choices=[*SHAPES, "both"], default="rich")
    parser.add_argument("--memory", type=int, metavar="N", help="also: peak memory for N specs")
    parser.add_argument("--only-memory", action="store_true", help="with --memory: only that")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.only_memory:
            for shape in SHAPES if args.shape == "both" else [args.shape]:
                bench_shape(Path(tmp), shape, args.count, args.rounds)
            one_file(Path(tmp), args.rounds)
        if args.memory:
            peak_memory(Path(tmp), args.memory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
