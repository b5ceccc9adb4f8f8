"""What the test files share: where the sample workbooks are, and the
external programs some tests drive (LibreOffice, poppler, Chromium).

Nothing here skips.  The sample workbooks ship in the repository, so a
missing one is a failure (:func:`sample`, :func:`samples`).  A test that needs
LibreOffice or Chromium asks for the ``soffice`` / ``chromium`` fixture (or
``pdftotext`` / ``pdftoppm``); the fixture fails with what to install when
the program is missing, and using it marks the test ``libreoffice`` or
``browser`` (see :func:`pytest_collection_modifyitems`), so the contributor's
inner loop ``pytest -m "not slow and not libreoffice and not browser"``
deselects it instead of skipping it.  CI installs both programs.

The test files import the paths and helpers with ``from conftest import …``
(pytest puts ``tests/`` on ``sys.path``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_workbooks"
FIELD = ROOT / "tests" / "field"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def samples(*suffixes: str) -> list[Path]:
    """The sample workbooks with these suffixes (default: all three), sorted."""
    wanted = suffixes or WORKBOOK_SUFFIXES
    found = sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in wanted)
    assert found, f"{SAMPLES} holds no {'/'.join(wanted)} workbook: the samples ship in the repository"
    return found


def sample(prefix: str, *suffixes: str) -> Path:
    """The sample workbook ``sample_workbooks/PREFIX_*`` (with one of ``suffixes``)."""
    wanted = suffixes or WORKBOOK_SUFFIXES
    found = sorted(p for p in SAMPLES.glob(f"{prefix}_*") if p.suffix.lower() in wanted)
    assert found, f"sample_workbooks/{prefix}_*{'/'.join(wanted)} is missing: the samples ship in the repository"
    return found[0]


def without_dac_override() -> list[str]:
    """A command prefix under which a folder's permissions apply: root
    ignores them unless it drops CAP_DAC_OVERRIDE, which setpriv (util-linux)
    does.  Empty when not root."""
    if os.name != "posix" or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root: setpriv (util-linux) is needed to make a folder read-only for the test"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]


# fixture -> (programs, any one will do; what to install; the marker the fixture puts on its tests)
PROGRAMS = {
    "soffice": (("soffice", "libreoffice"), "LibreOffice (apt-get install libreoffice-calc)", "libreoffice"),
    "pdftotext": (("pdftotext",), "poppler-utils (apt-get install poppler-utils)", "libreoffice"),
    "pdftoppm": (("pdftoppm",), "poppler-utils (apt-get install poppler-utils)", "libreoffice"),
    "chromium": (("chromium", "chromium-browser"), "Chromium (apt-get install chromium)", "browser"),
}


def _program(fixture: str) -> str:
    names, install, marker = PROGRAMS[fixture]
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(f"{names[0]} is not installed: install {install}, or deselect these tests with "
                f"-m \"not {marker}\"", pytrace=False)


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice program (``soffice``)."""
    return _program("soffice")


@pytest.fixture(scope="session")
def pdftotext() -> str:
    return _program("pdftotext")


@pytest.fixture(scope="session")
def pdftoppm() -> str:
    return _program("pdftoppm")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium program playwright drives."""
    return _program("chromium")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """A test that uses an external program's fixture carries that program's
    marker, so ``-m "not libreoffice"`` / ``-m "not browser"`` deselects it even
    where the decorator was forgotten."""
    for item in items:
        for fixture, (_, _, marker) in PROGRAMS.items():
            if fixture in getattr(item, "fixturenames", ()) and marker not in item.keywords:
                item.add_marker(marker)


class FakeConn:
    """Stands in for a pool worker's pipe: records when each batch of replies
    was sent (tests of the worker's outbox)."""

    def __init__(self):
        import threading

        self.sent: list[tuple[float, list]] = []
        self.arrived = threading.Event()

    def send(self, replies):
        import time

        self.sent.append((time.monotonic(), replies))
        self.arrived.set()


def selfeval(*args, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m selfeval_xlsx ARGS`` in a new process, as a user runs it
    (no colour, UTF-8 output); its stdout and stderr as text."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "selfeval_xlsx", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def one_line_error(proc) -> str:
    """The one stderr line of a run refused with exit code 2 (and no traceback)."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]

