"""A crash-proof process pool: every item gets an answer, whatever its worker does.

:class:`Pool` runs a picklable per-item function over an iterable in worker
processes that it owns, and yields ``(item, result, None)`` or ``(item,
None, Failure)`` for every item, in input order.  Unlike
``concurrent.futures.ProcessPoolExecutor`` (where one dead worker breaks the
whole pool) a worker that dies (segfault, ``os._exit``, out of memory) or
overruns its item's deadline is killed and replaced, and only the item it
was on is reported as failed; the other items sent to it are handed out
again.  Only a bounded number of items is in flight (``window``), so memory
stays flat however long the input is.

The parent's loop has four steps, one method each:

* **hand out** (:meth:`Pool._hand_out`): one item to every idle worker,
  starting workers lazily, then up to :data:`PIPELINE_DEPTH` each so a
  worker never waits for the parent between two items (a worker's new
  items in one message);
* **collect** (:meth:`Pool._collect`): wait until a worker replies, dies or
  reaches a deadline, and take every reply that is there;
* **deadline** (:meth:`Pool._enforce_deadlines`): a worker whose current
  item has run longer than ``timeout`` is killed;
* **fail** (:meth:`Pool._fail`): a dead or killed worker's item is
  reported, the worker replaced, and its other items sent again.

A worker (:func:`_worker_main`) sends its replies a few at a time (one
wake-up of the parent for several items), but holds none back longer than
:data:`REPLY_DELAY`: a thread of its own (:class:`_Outbox`) sends a reply
that has waited that long even while the worker is busy with a slow next
item, and the parent, blocked in ``wait`` on the worker's pipe, collects it
at once.  (A per-item function that holds the GIL for seconds in C code
delays that thread too; the package's per-file work does not.)

A worker also runs a commit thread (:class:`selfeval_xlsx.atomic.Commits`):
an output written inside ``atomic.deferred`` has its fsync and rename done
there, overlapping the next item.  The outbox sends a reply only once the
commits its item queued are done (a commit that failed replaces the
result, see ``atomic``), so a reply the parent gets always has its output
on disk under its final name.  The trade-off: a reply can wait for its
commit beyond :data:`REPLY_DELAY` -- only as long as the disk takes (it is
sent the moment the commit ends) -- and, as when the fsync was inline, that
wait counts against the item's deadline: when the worker runs out of items
with replies still waiting for the disk, it shows the oldest such item as
running while it waits, so a hung disk is a timeout, never a hang.

Closing the generator :meth:`Pool.map` returns (or an exception such as
KeyboardInterrupt in the consumer) stops and reaps all workers.  Workers
ignore SIGINT: Ctrl-C reaches the whole process group and the parent
decides what stops.

(One module of about 640 lines: the worker's loop, its reply batching
with the wait for commits, and the parent's loop are one protocol -- the
shared ``state``, the reply format and the ordering rules -- and are read
and changed together.)
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait as _wait_ready
from typing import Any

#: Seconds one item may take before its worker is killed (the default deadline).
DEADLINE = 60.0

#: Address-space limit of a worker process on POSIX (bytes), so a
#: decompression bomb ends in a MemoryError inside one worker instead of the
#: machine running out of memory.  ``None`` for no limit.
MEMORY_LIMIT: int | None = 4 * 1024**3

#: Items sent ahead to each worker, so a worker does not wait for the parent
#: between two items and reports several at a time.  (The parent wakes up
#: once per batch of replies, ~50 µs of CPU each time: 16 rather than 8 made
#: that 277 times instead of 600 in a 2,000-file batch with fill on one
#: CPU, 45 ms less; a crash hands out again at most this many items.)
PIPELINE_DEPTH = 16

#: A worker sends its replies at most this many at a time ...
REPLY_BATCH = 16
#: ... and holds none back longer than this (seconds), so progress shows.
REPLY_DELAY = 0.2

#: How long the parent waits when no deadline is near (seconds).
_IDLE_WAIT = 3600.0

Reply = tuple[int, bool, Any]  # (index, ok, result or "Type: message")
Task = tuple[int, Any]  # (index, item)


@dataclass(frozen=True)
class Failure:
    """Why an item has no result: ``kind`` is "timeout", "crash" or "exception"."""

    kind: str
    detail: str = ""
    pid: int | None = None


# --------------------------------------------------------------------------
# the worker process


def _limit_memory(limit: int | None) -> None:
    if not limit or os.name != "posix":
        return
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover
        pass


def _worker_main(conn, func, memory_limit, state, initializer) -> None:  # runs in the child
    """Serve items until told to stop (``None``) or the parent goes.

    ``state`` is shared memory the parent reads: ``[index of the item
    running (-1 between items), time.monotonic() when it started]``, so the
    parent knows which item a worker that dies or overruns was on.  Replies
    go to the :class:`_Outbox`; it sends them now when the worker is down to
    its last queued item, and otherwise in batches, never later than
    :data:`REPLY_DELAY` after the oldest finished.
    """
    from selfeval_xlsx import atomic

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent decides what stops
    _limit_memory(memory_limit)
    if initializer is not None:
        initializer()
    inbox: deque[Task] = deque()
    outbox = _Outbox(conn)
    commits = outbox.commits = atomic.commit_in_background(outbox.wake)
    try:
        while True:
            try:
                while not inbox or conn.poll():  # wait for work; take all there is
                    if not inbox:
                        outbox.settle(state)
                    message = conn.recv()
                    if message is None:
                        outbox.flush()
                        return
                    inbox.extend(message)  # the items handed out to this worker at once
            except (EOFError, OSError):
                return
            index, item = inbox.popleft()
            started = state[1] = time.monotonic()
            state[0] = index  # written last: the parent reads it first
            try:
                reply = (index, True, func(item))
            except MemoryError:
                reply = (index, False, "MemoryError")
            except BaseException as exc:  # noqa: BLE001 - report, keep serving
                reply = (index, False, f"{type(exc).__name__}: {exc}")
            state[0] = -1
            del item
            if not outbox.add(reply, send_now=len(inbox) <= 1, commits=commits.take(), started=started):
                return
            del reply
    finally:
        outbox.close()


class _Outbox:
    """A worker's finished replies, sent to the parent in order, in batches
    by the main loop or, once the oldest has waited :data:`REPLY_DELAY`, by
    a flusher thread that sleeps exactly until then (it is woken when a
    batch starts, so an idle worker costs no wake-ups).  A reply whose
    item's commits (``atomic``) are not done yet is held until they are;
    the commit thread wakes the flusher (:meth:`wake`) as each one ends.
    One lock keeps the two from sending at once."""

    def __init__(self, conn, commits=None):
        self.conn = conn
        self.commits = commits  # the worker's atomic.Commits (None: no commits to wait for)
        self.due = threading.Condition()
        # (time added, reply, the item's commit tickets, when the item started)
        self.entries: deque[tuple[float, Reply, list, float]] = deque()
        self.urgent = False  # send what is held as soon as its commits are done
        self.holding = False  # settle() is waiting: it sends, not the flusher
        self.open = True
        self.closed = False
        self.thread = threading.Thread(target=self._flush_when_due, name="selfeval-replies", daemon=True)
        self.thread.start()

    def add(self, reply: Reply, *, send_now: bool, commits: list | tuple = (), started: float = 0.0) -> bool:
        """Queue a reply; send the batch if it is due.  False when the parent has gone."""
        with self.due:
            now = time.monotonic()
            if not self.entries:
                self.due.notify()  # the flusher now has a deadline to keep
            self.entries.append((now, reply, list(commits), started))
            if send_now or len(self.entries) >= REPLY_BATCH or now - self.entries[0][0] >= REPLY_DELAY:
                self.urgent = True
                self._send()
                if self.entries:
                    self.due.notify()  # the rest waits for the disk: the flusher sends it
            return self.open

    def flush(self) -> bool:
        """Send everything, waiting for the commits it needs."""
        if self.commits is not None:
            self.commits.wait()
        with self.due:
            self._send()
            return self.open

    def settle(self, state) -> None:
        """Before the worker waits for work: wait for the commits of the
        replies still held, oldest first, showing the item waited for in
        ``state`` as running meanwhile (its deadline covers the disk, as an
        inline fsync did), and send each reply as soon as its commit is
        done: a file whose commit was merely slower than the next file's
        work is never blamed for a later file's hung disk."""
        while True:
            with self.due:
                pending = next((entry for entry in self.entries if not self._committed(entry)), None)
                if pending is None:
                    return
                _added, (index, _ok, _payload), tickets, started = pending
                self.holding = True
                state[1] = started
                state[0] = index
            try:
                self.commits.wait(max(t for t, _on_error in tickets))
            finally:
                with self.due:
                    state[0] = -1  # before the reply can go: the parent never sees a reported item running
                    self.holding = False
                    self.urgent = True
                    self._send()
                    self.due.notify()

    def wake(self) -> None:
        """A commit ended (called by the commit thread).  The flusher waits
        for a commit only once the head reply is due (or urgent); before
        that it sleeps until the head is due and looks at the commits then,
        so waking it for every commit would be a thread switch per file."""
        with self.due:
            if self.entries and (self.urgent or time.monotonic() >= self.entries[0][0] + REPLY_DELAY):
                self.due.notify()

    def close(self) -> None:
        with self.due:
            self.closed = True
            self.due.notify()

    def _committed(self, entry) -> bool:
        return not entry[2] or self.commits.done(entry[2][-1][0])

    def _flush_when_due(self) -> None:  # the flusher thread
        with self.due:
            while not self.closed:
                if not self.entries or self.holding:
                    self.due.wait()
                    continue
                left = self.entries[0][0] + REPLY_DELAY - time.monotonic()
                if not self.urgent and left > 0:
                    self.due.wait(left)
                elif not self._committed(self.entries[0]):
                    self.due.wait()  # the commit thread wakes us
                elif not self._send():
                    return

    def _send(self) -> bool:
        """Send the replies at the head whose commits are done (a failed
        commit's reply carries the result its ``on_error`` gives)."""
        ready: list[Reply] = []
        while self.entries and self._committed(self.entries[0]):
            _added, reply, tickets, _started = self.entries.popleft()
            ready.append(_settled(reply, tickets, self.commits))
        if not self.entries:
            self.urgent = False
        self.open = self.open and _send_replies(self.conn, ready)
        return self.open


def _settled(reply: Reply, tickets: list, commits) -> Reply:
    """``reply``, or the result its item reports because a commit failed."""
    for ticket, on_error in tickets:
        failed = commits.error(ticket)
        if failed is not None:
            try:
                return reply[0], True, on_error(*failed)
            except Exception as err:  # noqa: BLE001 - reported as the item's failure
                return reply[0], False, f"{type(err).__name__}: {err}"
    return reply


def _send_replies(conn, replies: list[Reply]) -> bool:
    """Send a list of replies; False when the parent has gone.  A result
    that cannot be pickled fails its own item, not the batch it came in."""
    if not replies:
        return True
    try:
        conn.send(replies)
        return True
    except (EOFError, OSError):
        return False
    except Exception:  # noqa: BLE001 - a result that cannot be pickled: find it
        pass
    checked = []
    for index, ok, payload in replies:
        try:
            pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            checked.append((index, ok, payload))
        except Exception as exc:  # noqa: BLE001
            checked.append((index, False, f"{type(exc).__name__}: {exc}"))
    try:
        conn.send(checked)
        return True
    except (EOFError, OSError):
        return False


# --------------------------------------------------------------------------
# the parent's handle on a worker


class _Worker:
    """One worker process, the items sent to it (oldest first) and the
    shared ``state`` in which it shows the item it is on."""

    __slots__ = ("process", "conn", "queue", "state")

    def __init__(self, ctx, func, memory_limit, initializer):
        parent_end, child_end = ctx.Pipe(duplex=True)
        self.state = ctx.RawArray("d", [-1.0, 0.0])
        self.process = ctx.Process(target=_worker_main,
                                   args=(child_end, func, memory_limit, self.state, initializer), daemon=True)
        self.process.start()
        child_end.close()
        self.conn = parent_end
        self.queue: deque[Task] = deque()

    def running(self) -> tuple[int, float] | None:
        """(index, start time) of the item the worker is on, or None."""
        index = int(self.state[0])  # first: the worker writes it last
        started = self.state[1]
        return None if index < 0 else (index, started)

    def exit_failure(self) -> Failure:
        """The crash the worker's exit shows (it has gone)."""
        pid = self.process.pid
        self.process.join(1)
        return Failure("crash", _exit_detail(self.process.exitcode), pid)

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                kill = True
        if not kill:
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()
        try:
            self.process.close()
        except ValueError:  # pragma: no cover - still running after kill
            pass


def _exit_detail(exitcode: int | None) -> str:
    if exitcode is None:
        return "unknown"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit {exitcode}"


# --------------------------------------------------------------------------
# the pool


def default_start_method() -> str:
    """forkserver on POSIX (safe with the progress bar's thread), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


class Pool:
    """Worker processes running ``func`` over items; see the module doc.

    ``func`` (and ``initializer``, run once in each new worker) must be
    picklable: a module-level function or a ``functools.partial`` of one.
    ``jobs`` ≤ 0 means ``os.cpu_count()``; ``timeout`` is each item's
    deadline in seconds (None: none); ``window`` bounds how far results may
    run ahead of the slowest item (memory); ``preload`` names modules the
    fork server imports once, so each new worker starts warm.
    """

    def __init__(
        self,
        func: Callable[[Any], Any],
        *,
        jobs: int = 0,
        timeout: float | None = DEADLINE,
        window: int | None = None,
        start_method: str | None = None,
        memory_limit: int | None = MEMORY_LIMIT,
        preload: Iterable[str] = (),
        initializer: Callable[[], None] | None = None,
    ):
        self.func = func
        self.size = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
        self.timeout = timeout
        self.window = window if window is not None else max(256, 16 * self.size)
        self.memory_limit = memory_limit
        self.initializer = initializer
        method = start_method or default_start_method()
        self.ctx = multiprocessing.get_context(method)
        preload = list(preload)
        if method == "forkserver" and preload:
            self.ctx.set_forkserver_preload(preload)
        self.workers: list[_Worker] = []
        self.done: dict[int, tuple[Any, Any, Failure | None]] = {}  # finished, waiting for their turn
        self.retry: deque[Task] = deque()  # items whose worker could not take them, or died holding them
        self.next_out = 0  # index of the next result to yield
        self.next_in = 0  # index the next item read from the source gets
        self.source: Iterator[Any] = iter(())
        self.exhausted = False

    # -- the loop ---------------------------------------------------------

    def map(self, items: Iterable[Any]) -> Iterator[tuple[Any, Any, Failure | None]]:
        """Yield ``(item, result, None)`` or ``(item, None, Failure)`` for
        every item, in input order.  Closing the generator stops the workers."""
        self.source = iter(items)
        try:
            while True:
                self._hand_out()
                while self.next_out in self.done:
                    yield self.done.pop(self.next_out)
                    self.next_out += 1
                if not any(w.queue for w in self.workers):
                    if self.exhausted and not self.retry and not self.done:
                        return
                    continue
                self._collect()
                self._enforce_deadlines()
        finally:
            self.close()

    def close(self) -> None:
        """Stop every worker: idle ones are told to finish, busy ones killed."""
        workers, self.workers = self.workers, []
        for worker in workers:
            worker.stop(kill=bool(worker.queue))

    # -- hand out ---------------------------------------------------------

    def _hand_out(self) -> None:
        """Send work, at most ``window`` ahead of the next result due: first
        one item to every idle worker (starting workers lazily, never more
        than there are items), then more to each up to
        :data:`PIPELINE_DEPTH`.  A worker's items go in one message (one
        system call here, a few in the worker, instead of that per item)."""
        batches: dict[_Worker, list[Task]] = {}
        try:
            for depth in (1, PIPELINE_DEPTH):
                while True:
                    worker = next((w for w in self.workers if len(w.queue) < depth), None)
                    if worker is None and (depth > 1 or len(self.workers) >= self.size):
                        break
                    task = self._take()
                    if task is None:
                        return
                    if worker is None:
                        worker = self._start_worker()
                    worker.queue.append(task)
                    batches.setdefault(worker, []).append(task)
        finally:
            for worker, tasks in batches.items():
                self._send(worker, tasks)

    def _take(self) -> Task | None:
        if self.retry:
            return self.retry.popleft()
        if self.exhausted or self.next_in >= self.next_out + self.window:
            return None
        try:
            item = next(self.source)
        except StopIteration:
            self.exhausted = True
            return None
        self.next_in += 1
        return self.next_in - 1, item

    def _send(self, worker: _Worker, tasks: list[Task]) -> None:
        """Send ``tasks`` (already at the end of the worker's queue).  When
        the worker died while idle they go back to be handed out again, and
        it is replaced when it held nothing else (otherwise collecting finds
        it dead and hands its items out again)."""
        try:
            worker.conn.send(tasks)
        except (OSError, ValueError):
            for _task in tasks:
                worker.queue.pop()
            self.retry.extendleft(reversed(tasks))
            if not worker.queue:
                self._replace(worker)

    def _start_worker(self) -> _Worker:
        worker = _Worker(self.ctx, self.func, self.memory_limit, self.initializer)
        self.workers.append(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        worker.stop(kill=True)
        self._start_worker()

    # -- collect ----------------------------------------------------------

    def _collect(self) -> None:
        """Wait until a busy worker replies or dies, or the nearest deadline
        passes; take every reply that has arrived."""
        busy = [w for w in self.workers if w.queue]
        handles: list[Any] = []
        for w in busy:
            handles.append(w.conn)
            handles.append(w.process.sentinel)
        ready = set(_wait_ready(handles, timeout=self._time_to_deadline(busy)))
        for w in busy:
            if w.conn in ready:
                self._receive(w)
            elif w.process.sentinel in ready:
                self._fail(w, w.exit_failure())

    def _receive(self, worker: _Worker) -> None:
        try:
            while worker.queue and worker.conn.poll():
                for index, ok, payload in worker.conn.recv():
                    head, item = worker.queue.popleft()
                    assert head == index, (head, index)
                    self.done[index] = (item, payload, None) if ok else (
                        item, None, Failure("exception", payload, worker.process.pid))
        except (EOFError, OSError):
            self._fail(worker, worker.exit_failure())
        except Exception as exc:  # noqa: BLE001 - an unreadable reply
            self._fail(worker, Failure("exception", f"{type(exc).__name__}: {exc}", worker.process.pid))

    # -- deadline ---------------------------------------------------------

    def _time_to_deadline(self, busy: list[_Worker]) -> float:
        if not self.timeout:
            return _IDLE_WAIT
        now = time.monotonic()
        wait_for = _IDLE_WAIT
        for w in busy:
            running = w.running()
            if running is None:  # between two items
                wait_for = min(wait_for, self.timeout)
            else:
                wait_for = min(wait_for, max(0.0, running[1] + self.timeout - now))
        return wait_for

    def _enforce_deadlines(self) -> None:
        if not self.timeout:
            return
        now = time.monotonic()
        for w in [w for w in self.workers if w.queue]:
            running = w.running()
            if running is not None and now >= running[1] + self.timeout:
                self._fail(w, Failure("timeout", f"{self.timeout:g}", w.process.pid), running[0])

    # -- fail -------------------------------------------------------------

    def _fail(self, worker: _Worker, failure: Failure, blamed: int | None = None) -> None:
        """The worker died or overran: the item it was on (``blamed``, or
        the one it shows as running) failed.  It is replaced, and the other
        items sent to it (queued, or done but not yet reported) go back to be
        handed out again, in order."""
        if worker not in self.workers:  # already failed in this round
            return
        self.workers.remove(worker)
        worker.stop(kill=True)
        queued = {index for index, _item in worker.queue}
        if blamed not in queued:
            running = worker.running()  # final now that the process is gone
            blamed = running[0] if running is not None and running[0] in queued else worker.queue[0][0]
        for index, item in worker.queue:
            if index == blamed:
                self.done[index] = (item, None, failure)
        self.retry.extendleft(reversed([task for task in worker.queue if task[0] != blamed]))
        worker.queue.clear()
        self._start_worker()


def run_tasks(items: Iterable[Any], func: Callable[[Any], Any], **options: Any
              ) -> Iterator[tuple[Any, Any, Failure | None]]:
    """``Pool(func, **options).map(items)``: the pool as a one-call generator."""
    return Pool(func, **options).map(items)


def stop_helper_processes() -> None:
    """Stop multiprocessing's fork server and resource tracker and wait for
    them, so a command that ran a pool leaves no process behind when it
    exits (they would otherwise notice the exit and stop a moment later).
    Only for the end of a program: the next pool would start them again."""
    from multiprocessing import forkserver, resource_tracker

    for holder, name in ((forkserver, "_forkserver"), (resource_tracker, "_resource_tracker")):
        helper = getattr(holder, name, None)
        # the module-level singletons and their _stop() are private: there is
        # no public way to wait for these helpers to end
        stop = getattr(helper, "_stop", None)
        if stop is None:  # pragma: no cover - another Python's internals
            continue
        try:
            stop()
        except (OSError, ChildProcessError, AttributeError, TypeError):  # pragma: no cover - already gone
            pass


__all__ = [
    "DEADLINE",
    "MEMORY_LIMIT",
    "REPLY_DELAY",
    "Failure",
    "Pool",
    "default_start_method",
    "run_tasks",
    "stop_helper_processes",
]
