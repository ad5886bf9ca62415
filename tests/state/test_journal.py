"""The journal's durability: an intent is on disk before its launch, answers soon after."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.state.journal import Journal


def test_launches_appending_at_once_share_fsyncs_and_each_intent_is_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit: an fsync started after a record was written covers it. The first fsync
    lasts until every other launch has written its intent (as a slow disk would, however
    fast the threads start), so the next one covers them all."""
    import threading
    import time

    from runner.state import journal as journal_module

    synced_upto: list[int] = []
    journal = Journal(tmp_path)
    real = journal_module.fsync_file  # type: ignore[attr-defined]

    def slow_fsync(path: Path) -> None:
        upto = journal._written  # every record written before this fsync starts
        deadline = time.monotonic() + 10
        while not synced_upto and journal._written < 40 and time.monotonic() < deadline:
            time.sleep(0.001)  # the others write meanwhile, unless writing waits for this
        real(path)
        synced_upto.append(upto)

    monkeypatch.setattr(journal_module, "fsync_file", slow_fsync)
    durable_when_returned: list[bool] = []

    def launch(i: int) -> None:
        journal.intent(f"k{i}", "", {"template_id": "t"})
        durable_when_returned.append(journal._synced >= 1)

    threads = [threading.Thread(target=launch, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(journal.pending()) == 40
    assert all(durable_when_returned) and journal._synced == 40
    assert len(synced_upto) <= 2, synced_upto  # the first, and one for all who queued behind it


def test_an_answer_is_readable_at_once_and_durable_after_sync(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    intent = journal.intent("k", "", {"template_id": "t"})
    journal.record_launch(intent, "run-1")
    assert journal.launched()[0][1] == "run-1"  # in the file already, for the next command
    assert journal._synced < journal._written  # ...not yet fsync'd on its own
    journal.sync()
    assert journal._synced == journal._written
