"""Benchmark: `launchspec validate` on 5,000 specs vs a bare C parse and check-jsonschema.

Run: .venv/bin/python bench/bench_validate.py [--count N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gc
import random
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
CLIENTS = ["Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Soylent"]
TIERS = ["Starter", "Growth", "Enterprise"]
MODULES = ["Billing", "Reporting", "Integrations", "SSO"]
REGIONS = ["EMEA", "Americas", "APAC"]

ONBOARDING = """\
# yaml-language-server: $schema=../schema/launchspec.schema.json
id: onboarding-{n:05d}
template: Client Onboarding
name: "Onboarding - {{{{ vars.client }}}} ({{{{ launch.date }}}})"
summary: "Kick-off for {{{{ vars.client }}}}, {{{{ vars.tier }}}} plan"
owner: ops@example.com
vars:
  client: {client} {n}
  tier: {tier}
prerun:
  Client name: "{{{{ vars.client }}}}"
  Start date: 2026-{month:02d}-{day:02d}
  Plan tier: "{{{{ vars.tier }}}}"
  Billing email: billing{n}@{slug}.example
  Region: {region}
  Modules: [{modules}]
  Notes: |
    Contract {n} signed. Wants {first_module} live before training.
  Account team:
    users: [jane@example.com]
    groups: [Sales]
tasks:
  Kick-off call:
    deadline: "{{{{ launch.at | add_business_days({days}) }}}}"
    owners:
      users: [jane@example.com]
      guests: [cfo@{slug}.example]
  Set up accounts:
    owners: {{users: [raj@example.com]}}
tags: [onboarding]
folders: [Clients]
"""

CLOSE = """\
# yaml-language-server: $schema=../schema/launchspec.schema.json
id: close-{n:05d}
template: 7bd3db0bb939aef446ffc68c3e8e653f
name: "Month-end close - {{{{ vars.entity }}}} - {{{{ vars.period }}}}"
owner: mei@example.com
vars: {{entity: Acme Inc., period: "2026-{month:02d}"}}
prerun:
  Period: "{{{{ vars.period }}}}"
  Entity: "{{{{ vars.entity }}}}"
  Reporting currency: USD
tasks:
  Reconcile bank accounts:
    deadline: "{{{{ launch.at | add_business_days(2) }}}}"
    owners: {{users: [mei@example.com]}}
  CFO sign-off:
    deadline: 2026-{month:02d}-{day:02d}T17:00:00Z
tags: [finance]
"""


def generate(folder: Path, count: int) -> list[Path]:
    """`count` realistic specs, two kinds, one per file."""
    rng = random.Random(7)
    specs = folder / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(count):
        client = rng.choice(CLIENTS)
        modules = rng.sample(MODULES, rng.randint(1, 3))
        values = {
            "n": n,
            "client": client,
            "slug": client.lower(),
            "tier": rng.choice(TIERS),
            "month": rng.randint(1, 12),
            "day": rng.randint(1, 28),
            "region": rng.choice(REGIONS),
            "modules": ", ".join(modules),
            "first_module": modules[0],
            "days": rng.randint(1, 10),
        }
        text = (ONBOARDING if n % 3 else CLOSE).format(**values)
        path = specs / f"spec-{n:05d}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bare_parse(files: list[Path]) -> None:
    import yaml

    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def run(cmd: list[str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in ok:
        sys.exit(f"{' '.join(cmd[:3])} ... failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        files = generate(root, args.count)
        n = len(files)
        print(f"{n} specs in {root / 'specs'}")

        sub = run([str(BIN / "launchspec"), "-C", str(root), "validate"])
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

        from runner.project import project
        from runner.specs.config import load_config

        config = load_config(root)
        in_proc = timed(lambda: project.validate(config))
        result = project.validate(config)
        assert not result.diagnostics and len(result.specs) == n, result.diagnostics[:3]
        warm = timed(lambda: project.validate(config))

        bare = timed(lambda: bare_parse(files))
        gc.disable()
        bare_nogc = timed(lambda: bare_parse(files))
        gc.enable()

        schema = str(REPO / "schema" / "launchspec.schema.json")
        cjs_cmd = [str(BIN / "check-jsonschema"), "--schemafile", schema, *map(str, files)]
        cjs = run(cjs_cmd)
        helps = [run([str(BIN / "launchspec"), "--help"]) for _ in range(7)]

    ms = 1000 / n
    print(f"bare C parse (yaml.load CSafeLoader): {bare:6.2f} s  {bare * ms:.3f} ms/file")
    print(f"  same, GC disabled:                  {bare_nogc:6.2f} s  {bare_nogc * ms:.3f} ms/file")
    print(f"validate in-process (cold):           {in_proc:6.2f} s  {in_proc * ms:.3f} ms/file")
    print(f"validate in-process (warm caches):    {warm:6.2f} s  {warm * ms:.3f} ms/file")
    print(f"launchspec validate (subprocess):     {sub:6.2f} s  {sub * ms:.3f} ms/file")
    print(f"check-jsonschema (subprocess):        {cjs:6.2f} s  {cjs * ms:.3f} ms/file")
    print(
        f"ratio validate/bare parse:  in-process {in_proc / bare:.2f}x, "
        f"subprocess {sub / bare:.2f}x  (target <= 2.5x)"
    )
    print(f"check-jsonschema/validate:  {cjs / sub:.1f}x slower  (target >= 10x)")
    print(
        f"launchspec --help: median {statistics.median(helps) * 1000:.0f} ms, "
        f"min {min(helps) * 1000:.0f} ms  (target < 150 ms)"
    )
    print(f"peak memory of launchspec validate: {peak_mb:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
