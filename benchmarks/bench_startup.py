"""How long a whole ``selfeval`` process takes against ``python -c pass``.

    python benchmarks/bench_startup.py [--runs N] [--no-bytecode] [FILE]

``selfeval validate FILE`` is a short process: for one workbook, start-up
(the interpreter, the imports, the argument parsing) costs more than the
check.  This script starts, in rounds, one process of each:

* ``python -c pass`` (the yardstick),
* ``python -m selfeval_xlsx validate FILE``,
* ``selfeval validate FILE`` the way the installed console script runs it
  (a copy of the script pip writes for ``[project.scripts]``, run by the same
  interpreter),
* ``selfeval batch`` on a folder holding FILE alone, into a fresh temporary
  output folder each time (its fixed cost: the worker pool, summary.xlsx),

interleaved (every command once a round, so a change in the machine's load
touches them all alike), and prints each command's median wall time and its
ratio to the yardstick, and the same for the CPU time the process used
(user + system, from ``os.wait4``: on a busy machine the wall time grows with
the load, the CPU time much less).  Target: ``selfeval validate`` within 4×
``python -c pass``.

The processes run with byte-compiled modules, as an installed copy has
them: ``PYTHONDONTWRITEBYTECODE`` is dropped and ``PYTHONPYCACHEPREFIX``
points at a temporary folder that a warm-up round fills (nothing is written
into the source tree).  ``--no-bytecode`` measures with every module compiled
from source each run instead.

``SELFEVAL_BENCH_QUICK=1`` runs 3 rounds instead of 21 (CI's slow set runs
every benchmark that way so none can rot).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_workbooks" / "02_某县财政局_2024部门整体支出绩效自评表.xlsx"
QUICK = os.environ.get("SELFEVAL_BENCH_QUICK") == "1"
TARGET = 4.0

# What pip writes for ``selfeval = "selfeval_xlsx.cli:main"`` (pip's
# distlib script template), so the console-script start-up is measured as
# users get it, without installing the package.
CONSOLE_SCRIPT = """\
# -*- coding: utf-8 -*-
import re
import sys
from selfeval_xlsx.cli import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""


def child_env(cache: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    if cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall ms, CPU ms) of one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in (0, 1):  # 1: the workbook has error findings
            err.seek(0)
            raise SystemExit(f"{argv[1:]} exited {child.returncode}:\n{err.read().decode(errors='replace')}")
    return elapsed * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="?", default=str(SAMPLE))
    parser.add_argument("--runs", type=int, default=3 if QUICK else 21)
    parser.add_argument("--no-bytecode", action="store_true")
    args = parser.parse_args(argv)
    sample = Path(args.file).resolve()
    if not sample.is_file():
        raise SystemExit(f"{sample}: not found")

    with tempfile.TemporaryDirectory(prefix="selfeval-startup-") as tmp:
        work = Path(tmp)
        cache = None if args.no_bytecode else work / "pycache"
        env = child_env(cache)
        script = work / "selfeval"
        script.write_text(CONSOLE_SCRIPT, encoding="utf-8")
        in_dir = work / "in"
        in_dir.mkdir()
        shutil.copy2(sample, in_dir / sample.name)
        py = sys.executable
        outs = iter(range(10**6))

        def batch_argv() -> list[str]:
            return [py, str(script), "batch", str(in_dir), "-o", str(work / f"out{next(outs)}")]

        commands: dict[str, object] = {
            "python -c pass": [py, "-c", "pass"],
            "python -m selfeval_xlsx validate": [py, "-m", "selfeval_xlsx", "validate", str(sample)],
            "selfeval validate (console script)": [py, str(script), "validate", str(sample)],
            "selfeval batch (1 file)": batch_argv,
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for round_no in range(args.runs + 2):  # two warm-up rounds: byte-compile, file cache
            for name, command in commands.items():
                elapsed, used = timed(command() if callable(command) else command, env, work)
                if round_no >= 2:
                    times[name].append(elapsed)
                    cpu[name].append(used)

    base = statistics.median(times["python -c pass"])
    base_cpu = statistics.median(cpu["python -c pass"])
    mode = "compiled from source each run" if args.no_bytecode else "byte-compiled"
    print(f"{sample.name}: median of {args.runs} interleaved runs ({mode})")
    print(f"{'command':38} {'wall ms':>8} {'min':>7} {'×':>6}   {'CPU ms':>7} {'×':>6}")
    for name in commands:
        median, used = statistics.median(times[name]), statistics.median(cpu[name])
        print(f"{name:38} {median:8.1f} {min(times[name]):7.1f} {median / base:6.2f}   {used:7.1f} {used / base_cpu:6.2f}")
    validate = statistics.median(times["selfeval validate (console script)"])
    validate_cpu = statistics.median(cpu["selfeval validate (console script)"])
    verdict = "met" if validate <= TARGET * base else "NOT met"
    print(f"selfeval validate / python -c pass: {validate / base:.2f} wall, {validate_cpu / base_cpu:.2f} CPU "
          f"(target ≤ {TARGET:g}: {verdict})")
    batch = statistics.median(times["selfeval batch (1 file)"])
    print(f"selfeval batch fixed cost (1 file, minus python -c pass): {batch - base:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
