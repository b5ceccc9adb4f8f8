"""Commits in the background (``atomic.Commits``, ``atomic.deferred``, the
pool worker's outbox): in a worker the fsync and rename of a finished output
run on a thread of their own, and yet

* a result reaches the parent only with its output on disk under its final
  name;
* a commit that fails (disk full, permission) is that file's write error,
  the very result the inline write gives, never a success;
* a commit that hangs is the item's timeout, not a hung batch;
* outside a worker (plain ``fill``) everything stays inline.
"""

from __future__ import annotations

import errno
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from conftest import FakeConn, sample

from selfeval_xlsx import atomic
from selfeval_xlsx import batch as batch_mod
from selfeval_xlsx import pool as pool_mod
from selfeval_xlsx.batch import FileJob, batch_folder, process_file

SOURCE = sample("01", ".xlsx")


def _corpus(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(SOURCE, folder / name)
    return folder


def _failing(original, exc: OSError, when=lambda *args: True):
    def fail(*args, **kwargs):
        if when(*args):
            raise exc
        return original(*args, **kwargs)

    return fail


FAILURES = {
    "fsync, disk full": ("fsync", OSError(errno.ENOSPC, "No space left on device")),
    "rename, permission": ("replace", PermissionError(errno.EACCES, "Permission denied")),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("what", sorted(FAILURES))
def test_a_failed_background_commit_is_the_inline_write_error(tmp_path, monkeypatch, what, lang):
    """The same failure, inline (plain fill) and on the commit thread (a
    worker): the same result, word for word, and no file left behind."""
    name, exc = FAILURES[what]
    src = _corpus(tmp_path / "in", ["a.xlsx"])
    job = FileJob(in_dir=str(src), out_dir=str(tmp_path / "out"), lang=lang)
    monkeypatch.setattr(os, name, _failing(getattr(os, name), exc))

    monkeypatch.setattr(atomic, "_COMMITS", None)
    inline = process_file(job, "a.xlsx")
    assert inline["status"] == "unreadable" and inline["output"] is None
    assert os.listdir(tmp_path / "out") == []

    commits = atomic.commit_in_background()
    deferred = process_file(job, "a.xlsx")
    assert deferred["status"] != "unreadable"  # fill returned before the commit ran
    tickets = commits.take()
    assert len(tickets) == 1
    commits.wait()
    index, ok, payload = pool_mod._settled((7, True, deferred), tickets, commits)
    assert (index, ok) == (7, True)
    assert payload == inline
    assert os.listdir(tmp_path / "out") == []


def test_outside_a_worker_everything_is_inline(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_COMMITS", None)
    src = _corpus(tmp_path / "in", ["a.xlsx"])
    result = process_file(FileJob(in_dir=str(src), out_dir=str(tmp_path / "out")), "a.xlsx")
    assert Path(result["output"]).is_file()  # written and renamed before fill returned


def test_a_commit_waits_for_its_deferred_block(tmp_path, monkeypatch):
    """With a commit thread but outside ``deferred`` the write is inline too."""
    monkeypatch.setattr(atomic, "_COMMITS", None)  # restored after the test
    commits = atomic.commit_in_background()
    target = tmp_path / "x.bin"
    with atomic.writing(target) as fh:
        fh.write(b"inline")
    assert target.read_bytes() == b"inline" and commits.take() == []
    release = threading.Event()
    monkeypatch.setattr(os, "fsync", lambda fd, _real=os.fsync: (release.wait(10), _real(fd))[1])
    with atomic.deferred(lambda exc, target: ("failed", str(target))), atomic.writing(target) as fh:
        fh.write(b"deferred")
    (ticket, _on_error), = commits.take()
    assert target.read_bytes() == b"inline" and not commits.done(ticket)
    release.set()
    commits.wait(ticket)
    assert target.read_bytes() == b"deferred" and commits.error(ticket) is None
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def test_the_outbox_holds_a_reply_until_its_commit_is_done(tmp_path, monkeypatch):
    """Due or not, a reply waits for its item's commit, and goes out the
    moment the commit ends; a failed commit's reply carries ``on_error``'s result."""
    conn = FakeConn()
    outbox = pool_mod._Outbox(conn)
    monkeypatch.setattr(atomic, "_COMMITS", None)  # restored after the test
    commits = outbox.commits = atomic.commit_in_background(outbox.wake)
    release = threading.Event()
    real_fsync = os.fsync

    def slow_fsync(fd):
        release.wait(10)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    try:
        with atomic.deferred(lambda exc, target: "unused"), atomic.writing(tmp_path / "a.bin") as fh:
            fh.write(b"a")
        assert outbox.add((0, True, "a"), send_now=True, commits=commits.take(), started=time.monotonic())
        time.sleep(pool_mod.REPLY_DELAY + 0.1)
        assert conn.sent == []  # due, but its file is not on disk yet
        released = time.monotonic()
        release.set()
        assert conn.arrived.wait(5)
        when, replies = conn.sent[0]
        assert replies == [(0, True, "a")] and (tmp_path / "a.bin").read_bytes() == b"a"
        assert when - released < 0.3
        # a commit that fails
        monkeypatch.setattr(os, "replace", _failing(os.replace, OSError(errno.ENOSPC, "full")))
        with atomic.deferred(lambda exc, target: f"not written: {target.name}: {exc.errno}"), \
                atomic.writing(tmp_path / "b.bin") as fh:
            fh.write(b"b")
        conn.arrived.clear()
        assert outbox.add((1, True, "b"), send_now=True, commits=commits.take())
        assert conn.arrived.wait(5)
        assert conn.sent[-1][1] == [(1, True, f"not written: b.bin: {errno.ENOSPC}")]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin"]
    finally:
        release.set()
        outbox.close()


def test_settle_sends_each_reply_once_its_own_commit_is_done(tmp_path, monkeypatch):
    """Out of work with two replies held for the disk: the first goes out
    the moment its (slow) commit ends, though the second's hangs, and the
    item shown as running is then the second: a hung disk is that file's
    timeout, never the file before it (which once lost that race under load)."""
    conn = FakeConn()
    outbox = pool_mod._Outbox(conn)
    monkeypatch.setattr(atomic, "_COMMITS", None)  # restored after the test
    commits = outbox.commits = atomic.commit_in_background(outbox.wake)
    gates = [threading.Event(), threading.Event()]  # one per fsync, in commit order
    waiting = list(gates)
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (waiting.pop(0).wait(10), real_fsync(fd))[1])
    state = [-1.0, 0.0]
    try:
        for index, name in enumerate(("a", "b")):
            with atomic.deferred(lambda exc, target: "unused"), atomic.writing(tmp_path / name) as fh:
                fh.write(name.encode())
            assert outbox.add((index, True, name), send_now=False, commits=commits.take(), started=float(index))
        settler = threading.Thread(target=outbox.settle, args=(state,))
        settler.start()
        deadline = time.monotonic() + 5
        while state[0] != 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert state == [0, 0.0] and conn.sent == []  # waiting for a's commit, a shown as running
        gates[0].set()
        assert conn.arrived.wait(5)
        assert conn.sent[0][1] == [(0, True, "a")]
        while state[0] != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert state == [1, 1.0] and len(conn.sent) == 1  # now b's hung commit, b shown as running
        gates[1].set()
        settler.join(5)
        assert [reply for _when, replies in conn.sent for reply in replies] == [(0, True, "a"), (1, True, "b")]
        assert state[0] == -1
    finally:
        for gate in gates:
            gate.set()
        outbox.close()


# --------------------------------------------------------------------------
# the whole run, in worker processes


def fill_with_a_bad_disk(job: FileJob, rel: str):
    """``process_file`` in a worker whose disk refuses (or hangs on) the
    outputs named 'bad…' (or 'slow…') when they are committed."""
    if not getattr(os, "_test_patched", False):
        os._test_patched = True
        real_replace, real_fsync = os.replace, os.fsync

        def replace(src, dst, *args, **kwargs):
            if Path(dst).name.startswith("bad"):
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_replace(src, dst, *args, **kwargs)

        slow = set()

        def fsync(fd):
            if fd in slow:
                time.sleep(60)
            return real_fsync(fd)

        real_open = os.open

        def open_(path, *args, **kwargs):
            fd = real_open(path, *args, **kwargs)
            slow.discard(fd)
            if str(path).endswith(atomic.TEMP_SUFFIX) and slow_next[0]:
                slow.add(fd)
            return fd

        slow_next = [False]
        os.replace, os.fsync, os.open = replace, fsync, open_
        os._test_slow_next = slow_next
    os._test_slow_next[0] = rel.startswith("slow")
    return process_file(job, rel)


def test_batch_reports_a_file_only_once_it_is_on_disk(tmp_path, monkeypatch):
    names = ["a.xlsx", "bad.xlsx", "c.xlsx", "d.xlsx"]
    src = _corpus(tmp_path / "in", names)
    out = tmp_path / "out"
    synced: list[list[str]] = []
    monkeypatch.setattr(batch_mod, "sync_folders", lambda folders: synced.append(list(folders)))
    seen = {}

    def on_result(result):
        name = Path(result["file"]).name
        seen[name] = result
        if result["status"] != "unreadable":
            assert Path(result["output"]).is_file(), "reported before its rename"

    stats = batch_folder(src, out, jobs=1, worker=fill_with_a_bad_disk, on_result=on_result)
    assert sorted(seen) == names
    bad = seen["bad.xlsx"]
    assert bad["status"] == "unreadable" and bad["output"] is None
    assert "磁盘已满" in bad["error"] and str(out / "bad.xlsx") in bad["error"]
    assert stats.unreadable == 1
    assert sorted(p.name for p in out.iterdir()) == ["a.xlsx", "c.xlsx", "d.xlsx", "summary.xlsx"]
    assert synced == [[str(out)]]


def test_a_hung_commit_is_that_files_timeout(tmp_path):
    names = ["a.xlsx", "slow.xlsx"]
    src = _corpus(tmp_path / "in", names)
    out = tmp_path / "out"
    started = time.monotonic()
    seen = {}
    batch_folder(src, out, jobs=1, timeout=3, worker=fill_with_a_bad_disk,
                 on_result=lambda result: seen.setdefault(Path(result["file"]).name, result))
    assert time.monotonic() - started < 30
    assert seen["a.xlsx"]["status"] != "unreadable"
    assert seen["slow.xlsx"]["status"] == "unreadable" and "超时" in seen["slow.xlsx"]["error"]
    assert sorted(p.name for p in out.iterdir()) == ["a.xlsx", "summary.xlsx"]


def test_sync_folders_syncs_each_folder(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    batch_mod.sync_folders([str(tmp_path), str(tmp_path / "missing")])
    assert len(synced) == 1


def test_temp_names_carry_the_process_id(tmp_path):
    fd, temp = atomic.create_temp(tmp_path)
    os.close(fd)
    assert temp.is_absolute() and temp.parent == tmp_path
    assert atomic.temp_owner(temp.name) == os.getpid()
    if os.name == "posix":
        assert temp.stat().st_mode & 0o777 == 0o600
