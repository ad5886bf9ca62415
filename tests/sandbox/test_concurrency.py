"""8 concurrent clients launch 400 runs: none lost or doubled, ids unique, created_at monotonic."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from tests.sandbox.api import HEX32, Api, parse_time
from tests.support.sandbox import SandboxProcess

THREADS = 8
EACH = 50


@dataclass
class Launch:
    thread: int
    index: int
    name: str
    run_id: str
    created_at: datetime
    sent: float
    answered: float


def _worker(sb: SandboxProcess, k: int, out: list[Launch], errors: list[BaseException]) -> None:
    try:
        with Api(sb, timeout=30) as api:  # each thread its own client and connection
            for i in range(EACH):
                name = f"concurrent t{k} #{i:02d}"
                sent = time.monotonic()
                run = api.launch_ok(name=name)
                answered = time.monotonic()
                out.append(
                    Launch(k, i, name, run["id"], parse_time(run["created_at"]), sent, answered)
                )
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)


def test_eight_clients_launch_400_runs(sandbox: SandboxProcess) -> None:
    launches: list[Launch] = []
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_worker, args=(sandbox, k, launches, errors), daemon=True)
        for k in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "launch threads did not finish in 60 s"
    assert not errors, errors[:3]
    assert len(launches) == THREADS * EACH

    # answers: unique ids
    answered_ids = [x.run_id for x in launches]
    assert len(set(answered_ids)) == len(answered_ids)
    assert all(HEX32.match(i) for i in answered_ids)

    # the server's view: exactly 400 runs, no id or name twice, same ids as answered
    with Api(sandbox) as api:
        listed = api.walk("runs", {"per_page": 100})
    ids = [r["id"] for r in listed]
    names = [r["name"] for r in listed]
    assert len(listed) == THREADS * EACH
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    assert set(ids) == set(answered_ids)
    assert set(names) == {x.name for x in launches}

    # created_at never goes backwards in creation order: within a client's sequence...
    for k in range(THREADS):
        mine = sorted((x for x in launches if x.thread == k), key=lambda x: x.index)
        stamps = [x.created_at for x in mine]
        assert stamps == sorted(stamps), f"thread {k}: created_at went backwards"
    # ...and across clients: a launch answered before another was sent is not newer
    by_sent = sorted(launches, key=lambda x: x.sent)
    for a in launches:
        for b in by_sent:
            if b.sent <= a.answered:
                continue
            assert a.created_at <= b.created_at, (a, b)
