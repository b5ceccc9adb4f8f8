"""Every benchmark script still runs (CI's slow set), so none can rot.

Each ``benchmarks/*.py`` runs in its own process with
``SELFEVAL_BENCH_QUICK=1`` (few files, few runs: the figures then mean
little, the script only has to work); it must exit 0 and print its figures.
A new script is picked up by the glob; the line that shows it printed its
figures is named in ``FIGURES`` (a script not named there must print at
least one number).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

BENCHMARKS = sorted((ROOT / "benchmarks").glob("*.py"))

# script -> a pattern its output must contain (its figures)
FIGURES = {
    "bench_attachment.py": r"form alone +\d+\.\d+ +\d+\.\d+  errors",  # sample 01 has error findings
    "bench_batch.py": r"\d+(?:\.\d+)? *files/s|files/s.*\n.*\d",
    "bench_export.py": r"export \.xlsx +\d+\.\d",
    "bench_fill.py": r"median ratio \d+\.\d+×",
    "bench_startup.py": r"selfeval validate / python -c pass: \d+\.\d+",
    "bench_validate.py": r"process: selfeval validate \d+ ms",
    "bench_writer.py": r"\d+(?:\.\d+)? ?ms",
    "field_accuracy.py": r"\*\*合计 \d+ 份\*\* \| \| \d+/\d+",
}


def test_figures_name_only_scripts_that_exist():
    assert set(FIGURES) <= {p.name for p in BENCHMARKS}


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_runs_quick(script, tmp_path):
    env = {**os.environ, "SELFEVAL_BENCH_QUICK": "1", "PYTHONIOENCODING": "utf-8",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, encoding="utf-8",
                         cwd=ROOT, env=env, timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    pattern = FIGURES.get(script.name, r"\d")
    assert re.search(pattern, run.stdout), f"{script.name} printed no figures:\n{run.stdout[-3000:]}"
