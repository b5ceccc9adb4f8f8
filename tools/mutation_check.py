"""Break one thing at a time and show which tests notice.

Each mutation replaces one piece of source text in a copy of the package
(the working tree is never touched), runs the given tests against the copy,
and prints the tests that failed. A mutation no test notices is reported as
SURVIVED and the script exits 1.

    python tools/mutation_check.py            # every mutation below
    python tools/mutation_check.py W104 AVERAGE

The mutations silence three rule codes (the finding is never emitted) and
break two formula functions (AVERAGE divides by one too many; ROUNDUP and
ROUNDDOWN swap their rounding modes).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutation:
    key: str
    what: str
    path: str  # in the repository
    old: str  # exact source text, must occur once
    new: str
    tests: tuple[str, ...]


def _silence(code: str) -> Mutation:
    """The finding constructor drops every finding of *code*."""
    return Mutation(
        key=code,
        what=f"rule {code} never fires",
        path="selfeval_xlsx/checks/context.py",
        old="        self.result.findings.append(\n",
        new=f"        if code == {code!r}:\n            return\n        self.result.findings.append(\n",
        tests=("tests/test_rule_catalogue.py", "tests/test_checks.py", "tests/test_variants.py"),
    )


MUTATIONS = (
    _silence("W104"),
    _silence("W202"),
    _silence("C201"),
    Mutation(
        key="AVERAGE",
        what="AVERAGE divides by one more than the count",
        path="selfeval_xlsx/formula.py",
        old="math.fsum(nums) / len(nums)",
        new="math.fsum(nums) / (len(nums) + 1)",
        tests=("tests/test_formula.py",),
    ),
    Mutation(
        key="ROUNDUP",
        what="ROUNDUP and ROUNDDOWN swapped",
        path="selfeval_xlsx/formula.py",
        old='"ROUNDUP": ROUND_UP, "ROUNDDOWN": ROUND_DOWN',
        new='"ROUNDUP": ROUND_DOWN, "ROUNDDOWN": ROUND_UP',
        tests=("tests/test_formula.py",),
    ),
)

_FAILED = re.compile(r"^FAILED (\S+)", re.M)


def run(m: Mutation) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        copy = Path(tmp)
        shutil.copytree(ROOT / "selfeval_xlsx", copy / "selfeval_xlsx")
        shutil.copytree(ROOT / "tests", copy / "tests",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copytree(ROOT / "sample_workbooks", copy / "sample_workbooks")
        shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
        shutil.copy(ROOT / "README.md", copy / "README.md")
        target = copy / m.path
        src = target.read_text(encoding="utf-8")
        if src.count(m.old) != 1:
            raise SystemExit(f"{m.key}: the text to break occurs {src.count(m.old)} times in {m.path}; update the mutation")
        target.write_text(src.replace(m.old, m.new), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(copy))
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=no", "-rf",
             "-m", "not slow and not libreoffice and not browser", *m.tests],
            cwd=copy, env=env, capture_output=True, text=True)
        return _FAILED.findall(proc.stdout)


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not argv or m.key in argv]
    survived = 0
    for m in chosen:
        failed = run(m)
        print(f"{m.key:8} {m.what}: ", end="")
        if failed:
            print(f"{len(failed)} test(s) fail")
            for name in failed[:5]:
                print(f"           {name}")
            if len(failed) > 5:
                print(f"           … and {len(failed) - 5} more")
        else:
            survived += 1
            print("SURVIVED (no test noticed)")
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
