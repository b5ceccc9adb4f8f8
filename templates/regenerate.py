"""Regenerate the committed blank templates in this folder (and their previews).

    python templates/regenerate.py          # templates/*_2025.xlsx, both forms
    python templates/regenerate.py --png    # also docs/template_*.png (needs soffice, pdftoppm)

The workbooks are the same as ``selfeval template --year 2025 -o templates/ --force``
and ``selfeval template --year 2025 --form project -o templates/ --force``
(this script overwrites them, as the command does only with ``--force``);
``tests/test_template.py`` checks that the committed files are current.  The
previews are LibreOffice's PDF of each workbook, every printed page stacked
into one PNG at 80 dpi (a grey rule between pages), so the page breaks show.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from selfeval_xlsx import layout  # noqa: E402
from selfeval_xlsx.template import write_template  # noqa: E402

YEAR = 2025


def regenerate(folder: Path = HERE, year: int = YEAR) -> dict[str, Path]:
    return {
        kind: write_template(folder / spec.default_filename(year), form=kind, year=year)
        for kind, spec in layout.FORMS.items()
    }


def _read_ppm(path: Path) -> tuple[int, int, bytes]:
    magic, width, height, _maxval, pixels = path.read_bytes().split(maxsplit=4)
    assert magic == b"P6"
    return int(width), int(height), pixels


def _write_png(path: Path, width: int, height: int, rgb: bytes) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def render_png(workbook: Path, png: Path, dpi: int = 80) -> None:
    """PDF the workbook with LibreOffice, stack its pages into one PNG."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(
            ["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(work), str(workbook)],
            check=True, capture_output=True, timeout=180,
        )
        subprocess.run(["pdftoppm", "-r", str(dpi), str(work / f"{workbook.stem}.pdf"), str(work / "page")],
                       check=True)
        pages = [_read_ppm(p) for p in sorted(work.glob("page*.ppm"))]
    width = pages[0][0]
    rule = b"\x88" * (width * 3 * 2)  # a grey line between pages
    _write_png(png, width, sum(p[1] for p in pages) + 2 * (len(pages) - 1), rule.join(p[2] for p in pages))


if __name__ == "__main__":
    written = regenerate()
    for path in written.values():
        print(path)
    if "--png" in sys.argv[1:]:
        for kind, path in written.items():
            png = ROOT / "docs" / f"template_{kind}.png"
            render_png(path, png)
            print(png)
