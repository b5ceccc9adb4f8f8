"""Recalculate a workbook in LibreOffice headless, as Excel does on open.

LibreOffice does not recalculate an .xlsx on load by default (it keeps the
cached values, and ignores ``fullCalcOnLoad``), so the profile given to it
sets "recalculation on file load" to *always* for OOXML and ODF files.  The
converted copy holds the recalculated values as its cached values.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def recalculate(paths: list[Path], outdir: Path, profile: Path | None = None) -> dict[Path, Path]:
    """Open each file in LibreOffice, recalculate everything, save as .xlsx
    into ``outdir``; returns input -> recalculated copy.  Files with the same
    name go in separate runs (one output folder each)."""
    profile = profile or outdir / f"lo-profile-{uuid.uuid4().hex[:8]}"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
    out: dict[Path, Path] = {}
    batches: list[list[Path]] = []
    for path in paths:  # one soffice run per batch of distinct stems
        for batch in batches:
            if all(p.stem != path.stem for p in batch):
                batch.append(path)
                break
        else:
            batches.append([path])
    for i, batch in enumerate(batches):
        folder = outdir / f"recalc{i}"
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--calc",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder),
                        *map(str, batch)], check=True, capture_output=True, timeout=300)
        for path in batch:
            result = folder / (path.stem + ".xlsx")
            assert result.exists(), f"LibreOffice did not convert {path}"
            out[path] = result
    return out
