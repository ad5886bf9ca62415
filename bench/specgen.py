"""Benchmark inputs shaped like real specs: each spec its own file and its own literal text.

Real projects rarely repeat one name template: every spec names its client, contract or period
in literal text around the Jinja (`"Onboarding - {{ vars.client }} #17"`). Two shapes:

- `names`: each name holds its own literal text; owners, deadlines, several steps.
- `rich`: the name, the summary and one deadline each hold their own literal text.
"""

from __future__ import annotations

import random
from pathlib import Path

CLIENTS = ["Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Soylent"]
TIERS = ["Starter", "Growth", "Enterprise"]
MODULES = ["Billing", "Reporting", "Integrations", "SSO"]
REGIONS = ["EMEA", "Americas", "APAC"]
SHAPES = ("names", "rich")

ONBOARDING = """\
id: onboarding-{n:05d}
template: Client Onboarding
name: "Onboarding - {{{{ vars.client }}}} #{n}"
summary: {summary}
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
    deadline: {kickoff}
    owners:
      users: [jane@example.com]
      guests: [cfo@{slug}.example]
  Set up accounts:
    deadline: "{{{{ launch.at | add_business_days({setup}) }}}}"
    owners: {{users: [raj@example.com]}}
  Training session:
    deadline: "{{{{ launch.at | add_weeks(2) }}}}"
tags: [onboarding]
folders: [Clients]
"""

CLOSE = """\
id: close-{n:05d}
template: Month-end Close
name: "Month-end close {n} - {{{{ vars.entity }}}} - {{{{ vars.period }}}}"
summary: {summary}
owner: mei@example.com
vars: {{entity: Acme Inc., period: "2026-{month:02d}"}}
prerun:
  Period: "{{{{ vars.period }}}}"
  Entity: "{{{{ vars.entity }}}}"
  Reporting currency: USD
tasks:
  Reconcile bank accounts:
    deadline: {kickoff}
    owners: {{users: [mei@example.com]}}
  Post accruals:
    deadline: "{{{{ launch.at | add_business_days({setup}) }}}}"
  CFO sign-off:
    deadline: 2026-{month:02d}-{day:02d}T17:00:00Z
tags: [finance]
"""


def spec_text(n: int, shape: str, rng: random.Random) -> str:
    """The text of spec number `n`: one in three a month-end close, the rest onboardings."""
    client = rng.choice(CLIENTS)
    modules = rng.sample(MODULES, rng.randint(1, 3))
    days = rng.randint(1, 10)
    who = "vars.entity" if n % 3 == 0 else "vars.client"
    if shape == "rich":
        summary = f'"Kick-off for {{{{ {who} }}}}: contract C-{n:05d}, {modules[0]} first"'
        hour, minute = 8 + n % 10, (n * 7) % 60
        kickoff = (f'"{{{{ launch.at | add_business_days({days}) | format_date }}}}'
                   f'T{hour:02d}:{minute:02d}:00Z"')
    else:
        summary = f'"Kick-off for {{{{ {who} }}}}, {rng.choice(TIERS)} plan"'
        kickoff = f'"{{{{ launch.at | add_business_days({days}) }}}}"'
    values = {
        "n": n, "client": client, "slug": client.lower(), "tier": rng.choice(TIERS),
        "month": rng.randint(1, 12), "day": rng.randint(1, 28), "region": rng.choice(REGIONS),
        "modules": ", ".join(modules), "first_module": modules[0], "summary": summary,
        "kickoff": kickoff, "setup": rng.randint(2, 12),
    }  # fmt: skip
    return (CLOSE if n % 3 == 0 else ONBOARDING).format(**values)


def generate(folder: Path, count: int, shape: str = "names", seed: int = 7) -> list[Path]:
    """Write `count` specs of `shape`, one per file, under `folder/specs`; return the files."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}")
    rng = random.Random(seed)
    specs = folder / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(count):
        path = specs / f"spec-{n:05d}.yaml"
        path.write_text(spec_text(n, shape, rng), encoding="utf-8")
        files.append(path)
    return files
