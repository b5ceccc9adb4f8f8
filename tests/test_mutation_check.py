"""tools/mutation_check.py: every mutation it makes is noticed by a named test."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_every_mutation_is_caught() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "mutation_check.py")],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SURVIVED" not in proc.stdout
    for key in ("W104", "W202", "C201", "AVERAGE", "ROUNDUP"):
        assert f"\n{key}" in "\n" + proc.stdout, proc.stdout
