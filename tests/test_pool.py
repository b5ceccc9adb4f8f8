"""selfeval_xlsx.pool: the crash-proof process pool.

Stand-in per-item functions (module-level, so worker processes can import
them) crash, hang, raise, run out of memory or sleep (a slow file), and the
tests check that every item still gets its answer, in order, and that a
finished result is never held back longer than the reply delay.
"""

from __future__ import annotations

import os
import time

from conftest import FakeConn

from selfeval_xlsx import pool as pool_mod
from selfeval_xlsx.pool import REPLY_DELAY, Pool, run_tasks

#: Scheduling slack on a loaded machine (2 cores shared by several test runs).
SLACK = 0.3


# --------------------------------------------------------------------------
# stand-in per-item functions (run in worker processes)


def double(x):
    return x * 2


def misbehave(x):
    if x == 3:
        os._exit(7)
    if x == 5:
        time.sleep(60)
    if x == 7:
        raise ValueError("seven")
    if x == 9:
        bytearray(16 * 1024**3)  # over the worker memory limit → MemoryError
    return x * 2


def test_run_tasks_in_order():
    assert [(i, r, f) for i, r, f in run_tasks(range(50), double, jobs=2)] == [
        (i, 2 * i, None) for i in range(50)
    ]


def test_run_tasks_one_job_and_empty():
    assert [r for _i, r, _f in run_tasks(range(5), double, jobs=1)] == [0, 2, 4, 6, 8]
    assert list(run_tasks([], double, jobs=2)) == []


def test_run_tasks_survives_crash_hang_exception_memory():
    started = time.monotonic()
    out = list(run_tasks(range(12), misbehave, jobs=2, timeout=2, memory_limit=2 * 1024**3))
    assert time.monotonic() - started < 20
    assert [i for i, _r, _f in out] == list(range(12))
    by_item = {i: (r, f) for i, r, f in out}
    assert by_item[3][1].kind == "crash" and by_item[3][1].detail == "exit 7"
    assert by_item[5][1].kind == "timeout"
    assert by_item[7][1].kind == "exception" and "seven" in by_item[7][1].detail
    assert by_item[9][1].kind in ("exception", "crash")  # MemoryError or killed
    for i in (0, 1, 2, 4, 6, 8, 10, 11):
        assert by_item[i] == (2 * i, None)


def unpicklable_at_4(x):
    if x == 4:
        return lambda: x  # a result the pipe cannot carry
    return x * 2


def test_run_tasks_blames_the_item_not_the_queue():
    """Workers report several items at a time; a crash, an overrun or an
    unpicklable result fails exactly the item it happened on, and the items
    finished before it but not yet reported are not lost."""
    out = list(run_tasks(range(14), misbehave, jobs=1, timeout=2, memory_limit=2 * 1024**3))
    failed = {i: f.kind for i, _r, f in out if f is not None}
    assert failed.pop(9) in ("exception", "crash")  # MemoryError, or killed
    assert failed == {3: "crash", 5: "timeout", 7: "exception"}
    assert [(i, r) for i, r, f in out if f is None] == [(i, 2 * i) for i in range(14) if i not in (3, 5, 7, 9)]

    out = list(run_tasks(range(10), unpicklable_at_4, jobs=1))
    assert [i for i, _r, _f in out] == list(range(10))
    assert [f.kind for _i, _r, f in out if f is not None] == ["exception"] and out[4][2] is not None
    assert "pickle" in out[4][2].detail.lower()
    assert [r for i, r, _f in out if i != 4] == [2 * i for i in range(10) if i != 4]


def test_run_tasks_window_bounds_in_flight():
    """With a hanging item, later items run at most ``window`` ahead."""
    pulled = []

    def source():
        for i in range(40):
            pulled.append(i)
            yield i

    gen = run_tasks(source(), misbehave, jobs=2, timeout=3, window=8)
    first = [next(gen) for _ in range(5)]  # 0..4 (3 crashed)
    assert [i for i, _r, _f in first] == [0, 1, 2, 3, 4]
    # item 5 hangs; nothing past 5 + window may have been taken
    assert max(pulled) < 5 + 8 + 2
    rest = list(gen)
    assert [i for i, _r, _f in rest] == list(range(5, 40))


def pid_of_worker(x):
    if x > 1:
        time.sleep(30)
    return os.getpid()


def _gone(pid: int) -> bool:
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_run_tasks_close_reaps_workers():
    """Closing the generator early (Ctrl-C in the consumer) kills busy workers."""
    gen = run_tasks(range(10), pid_of_worker, jobs=2, timeout=60)
    _i, pid, _f = next(gen)
    _i, pid2, _f = next(gen)
    gen.close()
    assert _gone(pid) and _gone(pid2)
    assert [r for _i, r, _f in run_tasks([0, 1], pid_of_worker, jobs=2)] != []


def sleep_then_time(seconds: float) -> float:
    """A file that takes ``seconds``; returns when it finished (monotonic
    time is the same clock in every process on the machine)."""
    time.sleep(seconds)
    return time.monotonic()


def test_a_finished_result_arrives_within_the_delay_while_its_worker_is_busy():
    """The worker holds replies back to send several at once, but never past
    REPLY_DELAY: the parent collects a finished result while the worker that
    made it is busy with its next, slow item (it used to wait for that item)."""
    # one worker: item 1 finishes with the two slow items already queued
    # behind it (taken while item 0 ran), so its reply is held, not sent at once
    gen = Pool(sleep_then_time, jobs=1, timeout=60).map([0.3, 0, 30, 30])
    try:
        for expected in (0, 1):
            _item, finished, failure = next(gen)
            arrived = time.monotonic()
            assert failure is None, failure
            assert arrived - finished < REPLY_DELAY + SLACK, (
                f"item {expected} arrived {arrived - finished:.2f} s after it finished")
    finally:
        started = time.monotonic()
        gen.close()  # kills the worker busy with the 30 s item
    assert time.monotonic() - started < 10


def test_the_outbox_sends_a_held_reply_when_it_is_due_not_before():
    """In-process: a reply held back (more work queued) goes out REPLY_DELAY
    after it was added, with the main thread busy elsewhere; a reply added
    when the queue is down to its last item goes out at once."""
    conn = FakeConn()
    outbox = pool_mod._Outbox(conn)
    try:
        added = time.monotonic()
        assert outbox.add((0, True, "a"), send_now=False)
        assert outbox.add((1, True, "b"), send_now=False)
        assert conn.sent == []  # held: the batch is not due yet
        assert conn.arrived.wait(REPLY_DELAY + SLACK + 1)
        when, replies = conn.sent[0]
        assert replies == [(0, True, "a"), (1, True, "b")]
        assert REPLY_DELAY * 0.9 <= when - added < REPLY_DELAY + SLACK
        assert outbox.add((2, True, "c"), send_now=True)
        assert conn.sent[-1][1] == [(2, True, "c")]
    finally:
        outbox.close()
    outbox.thread.join(2)
    assert not outbox.thread.is_alive()


def test_pool_as_a_class_and_run_tasks_agree():
    assert list(Pool(double, jobs=2).map(range(7))) == list(run_tasks(range(7), double, jobs=2))
