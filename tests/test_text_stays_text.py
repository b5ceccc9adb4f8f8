"""Text a user gives stays text in every workbook the project writes: a unit
name such as ``=cmd|' /C calc'!A0`` is not a live formula, ``http://…`` not
a hyperlink, ``+1`` not a number — through ``selfeval template`` and the web
page's ``/api/template``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import openpyxl
import pytest

from selfeval_xlsx.template import write_template

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = [
    "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"http://evil.example\",\"点我\")",
    "http://evil.example/steal?x=1",
    "mailto:someone@example.com",
    "+1+1",
    "-2",
    "@SUM(1)",
    "12345",
]


def check_text(data_or_path, unit: str) -> None:
    wb = openpyxl.load_workbook(data_or_path if isinstance(data_or_path, Path) else io.BytesIO(data_or_path))
    found = []
    for ws in wb.worksheets:
        assert not ws._hyperlinks, [h.target for h in ws._hyperlinks]
        for row in ws.iter_rows():
            for cell in row:
                assert cell.hyperlink is None, cell.coordinate
                if cell.value == unit:
                    found.append(cell)
                if cell.data_type == "f":  # the template's own formulas only
                    assert "cmd" not in str(cell.value) and "evil" not in str(cell.value), cell.value
    assert found, f"{unit!r} is not in the workbook as text"
    for cell in found:
        assert cell.data_type == "s", (cell.coordinate, cell.data_type)


@pytest.mark.parametrize("unit", HOSTILE)
@pytest.mark.parametrize("form", ["department", "project"])
def test_template_unit_is_text(tmp_path: Path, unit: str, form: str) -> None:
    path = write_template(tmp_path / "t.xlsx", form=form, year=2024, unit=unit)
    check_text(path, unit)


def test_template_command_unit_is_text(tmp_path: Path) -> None:
    unit = HOSTILE[0]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-m", "selfeval_xlsx", "template", "--unit", unit, "--year", "2024",
                           "-o", str(tmp_path)], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    (path,) = tmp_path.glob("*.xlsx")
    check_text(path, unit)


@pytest.mark.parametrize("unit", HOSTILE[:3])
def test_web_template_unit_is_text(tmp_path: Path, unit: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from selfeval_xlsx.web import create_app

    with TestClient(create_app(temp_root=tmp_path)) as c:
        response = c.get("/api/template", params={"form": "department", "year": "2024", "unit": unit})
    assert response.status_code == 200
    check_text(response.content, unit)
