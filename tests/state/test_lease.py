"""The shared lease on a git remote (a real bare repository): one holder, renewal, expiry, and
failing closed: a lost, removed, garbled, skewed or refused lease stops launches or is refused.

Time is a World the test moves (tests/support/leases.py): no test sleeps for a lease to age."""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path

import pytest

from runner.errors import LaunchspecError, LeaseLostError, LockBusyError
from runner.state.holder import Holder, shown
from runner.state.lease import REF, Git, Lease, LeaseError
from runner.state.leasegit import legacy_ref_for, moved, rejection
from tests.support.leases import World, bare_with_clones, git, push_lease


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path, Path]:
    remote, (a, b) = bare_with_clones(tmp_path, "a", "b")
    return remote, a, b


def test_one_holder_at_a_time_named_when_refused(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    with Lease(Git(a, "origin"), ttl=30):
        with pytest.raises(LockBusyError) as caught, Lease(Git(b, "origin"), ttl=30):
            pass
        assert "holds the shared lease (pid" in caught.value.message
        assert "launchspec lease show" in (caught.value.hint or "")
    with Lease(Git(b, "origin"), ttl=30):  # released: the other may take it at once
        pass


def test_the_lease_is_renewed_and_each_renewal_moves_the_deadline(
    clones: tuple[Path, Path, Path],
) -> None:
    _, a, b = clones
    world = World()
    with Lease(Git(a, "origin"), ttl=6, clock=world.clock(), background=False) as held:
        first = held.deadline
        world.advance(held.every)
        assert held.renew() and held.deadline == first + held.every
        world.advance(3.5)  # past the first deadline: only the renewal keeps it
        assert world.clock().monotonic() > first
        held.check()
        with pytest.raises(LockBusyError), Lease(Git(b, "origin"), ttl=6, clock=world.clock()):
            pass


def test_no_launch_after_the_deadline_without_a_renewal(clones: tuple[Path, Path, Path]) -> None:
    _, a, _ = clones
    world = World()
    with Lease(Git(a, "origin"), ttl=8, clock=world.clock(), background=False) as held:
        world.advance(8 - held.margin - 0.01)
        held.check()
        world.advance(0.02)  # the deadline: ttl less the margin after the last renewal
        with pytest.raises(LeaseLostError) as caught:
            held.check()
    assert "past its deadline" in caught.value.message
    assert "launchspec lease show" in (caught.value.hint or "")


def test_an_expired_lease_is_taken_over(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    world = World()
    long_ago = world.start - 30 - 7.5 - 1  # expired more than ttl + margin ago
    push_lease(a, REF, {"who": "pid 1 on gone", "since": 1.0, "until": long_ago})
    with Lease(Git(b, "origin"), ttl=30, clock=world.clock()) as lease:
        assert lease.sha


def test_a_waiter_gets_the_lease_when_it_is_released(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    world = World()
    waited: list[str] = []
    first = Lease(Git(a, "origin"), ttl=30, clock=world.clock(), background=False)
    first.__enter__()

    def release_at_5() -> None:
        if world.elapsed >= 5 and first.sha:
            first.__exit__()

    world.on_tick.append(release_at_5)
    with Lease(Git(b, "origin"), ttl=30, timeout=20, on_wait=waited.append,
               clock=world.clock()):  # fmt: skip
        assert 5 <= world.elapsed < 10
    assert waited and "shared lease" in waited[0]


def test_the_lockfile_rides_in_the_lease(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    with Lease(Git(a, "origin"), ttl=30, lockfile=lambda: b'{"carried": true}\n'):
        pass
    with Lease(Git(b, "origin"), ttl=30) as lease:
        assert lease.inherited == b'{"carried": true}\n'


def test_an_unreachable_remote_is_an_error_not_a_silent_launch(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "--quiet", str(repo))
    git(repo, "remote", "add", "origin", str(tmp_path / "nowhere.git"))
    with pytest.raises(LeaseError) as caught, Lease(Git(repo, "origin"), ttl=30):
        pass
    assert "--no-lease" in (caught.value.hint or "")


# -- issue 20, item 1: a renewal that fails stops launches at once ----------------------------
def test_a_renewal_the_remote_cannot_answer_stops_launches_at_once(
    clones: tuple[Path, Path, Path],
) -> None:
    remote, a, _ = clones
    world = World()
    lost: list[str] = []
    with Lease(Git(a, "origin"), ttl=6, on_lost=lost.append, clock=world.clock(),
               background=False) as held:  # fmt: skip
        held.check()
        remote.rename(remote.with_name("cut.git"))  # the path to the remote is cut
        world.advance(held.every)
        assert not held.renew()
        with pytest.raises(LeaseLostError) as caught:  # long before the deadline
            held.check()
    assert "could not be renewed" in caught.value.message
    assert lost and "could not be renewed" in lost[0]


# -- issue 20, item 2: a lease removed by hand is noticed before launches and at renewal -----
def test_a_lease_deleted_by_hand_is_noticed_before_launching(
    clones: tuple[Path, Path, Path],
) -> None:
    _, a, b = clones
    with Lease(Git(a, "origin"), ttl=30, background=False) as held:
        git(b, "push", "--quiet", "origin", f":{REF}")  # removed by hand
        with pytest.raises(LeaseLostError) as caught:
            held.confirm()  # what apply does before its first launch
        assert "taken over or removed" in caught.value.message
        with Lease(Git(b, "origin"), ttl=30):  # the other may take it: this one will not launch
            pass


# -- issue 20, item 5: clock skew ------------------------------------------------------------
def test_a_clock_ahead_by_more_than_the_ttl_does_not_take_a_live_lease(
    clones: tuple[Path, Path, Path],
) -> None:
    """B's clock is 130 s ahead; A (ttl 120) renews on time: B sees A's lease "expired" yet
    renewed, says so, and never takes it."""
    _, a, b = clones
    world = World()
    warned: list[str] = []
    with Lease(Git(a, "origin"), ttl=120, clock=world.clock()) as held:  # renews as time moves
        taker = Lease(Git(b, "origin"), ttl=120, timeout=200, clock=world.clock(skew=130),
                      on_warn=warned.append)  # fmt: skip
        with pytest.raises(LockBusyError) as caught, taker:
            pass
        held.check()
    assert "expired" in caught.value.message
    assert any("renewed although" in w and "ahead" in w for w in warned), warned


def test_a_lease_from_a_clock_ahead_is_a_warning_with_the_figures(
    clones: tuple[Path, Path, Path],
) -> None:
    _, a, b = clones
    world = World()
    warned: list[str] = []
    with Lease(Git(a, "origin"), ttl=120, clock=world.clock(skew=300), background=False):
        taker = Lease(Git(b, "origin"), ttl=120, clock=world.clock(), on_warn=warned.append)
        with pytest.raises(LockBusyError), taker:
            pass
    assert any("began 300 s in this machine's future" in w for w in warned), warned
    assert any("expires 420 s from now, more than its ttl of 120 s" in w for w in warned), warned


def test_a_dead_holder_whose_clock_ran_ahead_is_taken_once_watched_for_a_ttl(
    clones: tuple[Path, Path, Path],
) -> None:
    _, a, b = clones
    world = World()
    ahead = world.start + 3600  # a valid time, an hour in this clock's future
    push_lease(a, REF, {"who": "pid 1 on gone", "since": ahead, "until": ahead + 6, "ttl": 6})
    with Lease(Git(b, "origin"), ttl=6, timeout=30, clock=world.clock()):
        assert 6 <= world.elapsed < 10


# -- issue 20, item 6: garbage in a lease commit ----------------------------------------------
@pytest.mark.parametrize(
    "times",
    [
        {"since": 1.0, "until": math.nan},
        {"since": 1.0, "until": math.inf},
        {"since": 1.0, "until": 99999999999},
        {"since": 1e300, "until": 1.0},
        {"since": math.nan, "until": 1.0},
        {"since": -5.0, "until": 1.0},
    ],
)
def test_impossible_times_are_an_error_not_a_lease_forever(
    clones: tuple[Path, Path, Path], times: dict[str, float]
) -> None:
    _, a, b = clones
    push_lease(a, REF, {"who": "pid 1 on x", **times})
    with pytest.raises(LeaseError) as caught, Lease(Git(b, "origin"), ttl=30, timeout=5):
        pass
    assert "impossible times" in caught.value.message
    assert "launchspec lease break" in (caught.value.hint or "")


def test_a_commit_that_is_no_lease_is_an_error(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    push_lease(a, REF, "hello\x1b[31m")
    with pytest.raises(LeaseError) as caught, Lease(Git(b, "origin"), ttl=30):
        pass
    assert "not a launchspec lease" in caught.value.message
    assert "\x1b" not in caught.value.message


def test_a_holders_text_is_shown_without_control_characters_or_workflow_commands() -> None:
    link = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
    holder = Holder(f"pid 1 {link}\n::error::forged\r\u202eevil", 1.0, 2.0,
                    run_url="::warning file=x::y\x07")  # fmt: skip
    said = holder.describe()
    assert not any(ord(c) < 32 or c in "\x7f\u202e" for c in said), repr(said)
    assert "::" not in said
    assert shown("::set-output name=x::1").startswith(": :")
    assert Holder("x", 1e300, 1.0).describe().endswith("(an impossible time: 1e+300)")


# -- issue 20, item 7: nested folders; a refused push says why and is not retried ------------
def test_nested_project_folders_hold_their_own_leases_at_once(
    clones: tuple[Path, Path, Path],
) -> None:
    _, a, _ = clones
    (a / "ops" / "emea").mkdir(parents=True)
    with Lease(Git(a / "ops", "origin"), ttl=30), Lease(Git(a / "ops" / "emea", "origin"), ttl=30):
        pass


def test_a_push_the_remote_refuses_names_its_reason_and_is_not_retried(
    clones: tuple[Path, Path, Path],
) -> None:
    remote, a, _ = clones
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'lease refs are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    outcome: list[BaseException] = []

    def take() -> None:
        try:
            with Lease(Git(a, "origin"), ttl=30):
                pass
        except BaseException as e:
            outcome.append(e)

    taker = threading.Thread(target=take, daemon=True)
    taker.start()
    taker.join(timeout=20)
    assert not taker.is_alive(), "the refused push was retried without end"
    assert outcome and isinstance(outcome[0], LaunchspecError)
    assert "pre-receive hook declined" in outcome[0].message, outcome[0].message


def test_a_live_lease_under_the_old_ref_name_is_refused(clones: tuple[Path, Path, Path]) -> None:
    _, a, b = clones
    (b / "ops").mkdir()
    world = World()
    push_lease(a, legacy_ref_for("ops/"), {"who": "pid 1 on old", "since": world.start,
                                            "until": world.start + 60})  # fmt: skip
    with pytest.raises(LockBusyError) as caught, Lease(Git(b / "ops", "origin"), ttl=30,
                                                       clock=world.clock()):  # fmt: skip
        pass
    assert "old name refs/launchspec/leases/ops" in caught.value.message
    world.advance(60 + 8)  # expired: the old name no longer counts
    with Lease(Git(b / "ops", "origin"), ttl=30, clock=world.clock()):
        pass


def test_git_refusals_are_told_apart_from_a_push_that_lost_a_race() -> None:
    def refused(remote_error: str) -> str:
        porcelain = "!\tabc:refs/launchspec/lease\t[remote rejected] (failed to update ref)"
        said = rejection(f"{porcelain}\nDone\nremote: error: {remote_error}\n"
                         "error: failed to push some refs to 'x'")  # fmt: skip
        assert said is not None
        return said

    assert moved(rejection("!\tabc:refs/x\t[rejected] (stale info)") or "")
    assert moved(refused("cannot lock ref 'refs/x': reference already exists"))
    assert moved(refused("cannot lock ref 'refs/x': is at 1234 but expected 5678"))
    nested = refused("cannot lock ref 'refs/a/b': 'refs/a' exists; cannot create 'refs/a/b'")
    assert not moved(nested) and "'refs/a' exists; cannot create" in nested


@pytest.mark.slow
def test_a_remote_that_never_answers_is_cut_off_at_the_bound_with_what_it_started(
    tmp_path: Path,
) -> None:
    """The bound (3 s) is long enough for git to start its transport on a loaded machine, and
    far below the transport's 60 s: a call not cut off, or cut off without what it started
    (the transport keeps git's stderr open), ends well past the 30 s allowed."""
    repo, pidfile = tmp_path / "repo", tmp_path / "helper.pid"
    git(tmp_path, "init", "--quiet", str(repo))
    git(repo, "config", "protocol.ext.allow", "always")
    helper = tmp_path / "hang.sh"  # a transport that connects and never says a word
    helper.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 60\n")
    helper.chmod(0o755)
    git(repo, "remote", "add", "origin", f"ext::{helper}")
    started = time.monotonic()
    with pytest.raises(LeaseError) as caught, Lease(Git(repo, "origin", timeout=3), ttl=30):
        pass
    assert time.monotonic() - started < 30
    assert "did not finish within 3 s" in caught.value.message
    status = Path(f"/proc/{pidfile.read_text().strip()}/status")
    # SIGKILL sent is not yet died: on a busy machine the transport may wait to be scheduled.
    deadline = time.monotonic() + 20
    while _running(status):
        assert time.monotonic() < deadline, status  # killed, not left
        time.sleep(0.01)


def _running(status: Path) -> bool:
    """Whether the process of a /proc status file still runs (neither gone nor a zombie)."""
    try:
        return "\nState:\tZ" not in status.read_text()
    except OSError:
        return False


def test_a_lease_that_just_expired_is_taken_once_seen_not_renewed(
    clones: tuple[Path, Path, Path],
) -> None:
    """Expired 2 s ago by this clock (ttl 40 s, margin 10 s): it might be a live holder whose
    clock is behind, so it is refused now, naming the wait, and taken once seen unchanged."""
    _, a, b = clones
    world = World()
    push_lease(a, REF, {"who": "pid 1 on gone", "since": world.start - 60,
                        "until": world.start - 2, "ttl": 40})  # fmt: skip
    with pytest.raises(LockBusyError) as caught, Lease(Git(b, "origin"), ttl=40,
                                                       clock=world.clock()):  # fmt: skip
        pass
    assert "expired 2 s ago" in caught.value.message
    assert "--lock-timeout 50" in (caught.value.hint or "")
    with Lease(Git(b, "origin"), ttl=40, timeout=50, clock=world.clock()):
        assert world.elapsed <= 50


def test_a_release_that_finds_the_lease_taken_over_marks_it_lost(
    clones: tuple[Path, Path, Path],
) -> None:
    """Taken over after this apply's last launch: the release's compare-and-swap finds another
    commit. The lease is then lost, so the hand-over saves no merge base from it."""
    _, a, b = clones
    held = Lease(Git(a, "origin"), ttl=30, background=False)
    held.__enter__()
    git(b, "push", "--quiet", "origin", f":{REF}")  # broken by hand, then taken by B
    with Lease(Git(b, "origin"), ttl=30, background=False):
        held.__exit__()
    assert held.lost and "taken over" in held.lost
