"""Render the 审核意见单 pictures in docs/ from sample 04, as a reviewer sees them.

    python tools/render_docs.py

Fills sample 04 into a temporary folder, prints the copy to PDF with LibreOffice
(headless, a profile of its own) and turns the pages to PNG with pdftoppm:

* docs/review_sheet.png, docs/review_sheet_page2.png: the 审核意见单 pages;
* docs/marked_cells.png: the first page of the form, with the marked cells.

Needs ``soffice`` and ``pdftoppm`` (Debian: libreoffice-calc, poppler-utils).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfeval_xlsx.fill import fill_path  # noqa: E402

DOCS = ROOT / "docs"
DPI = "80"


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout
    return text.decode("utf-8", "replace").split("\f")


def render_page(pdf: Path, page: int, out: Path) -> None:
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", DPI, "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(stem)], check=True)
    print(f"wrote {out.relative_to(ROOT)}")


def main() -> int:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        print("needs LibreOffice (soffice) and poppler-utils (pdftoppm, pdftotext)", file=sys.stderr)
        return 2
    (sample,) = sorted((ROOT / "sample_workbooks").glob("04_*.xlsx"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        copy = work / "04.checked.xlsx"
        fill_path(sample, copy)
        subprocess.run([soffice, f"-env:UserInstallation={(work / 'lo').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(copy)],
                       check=True, capture_output=True, timeout=300)
        pdf = work / "04.checked.pdf"
        pages = page_texts(pdf)
        review = [i + 1 for i, text in enumerate(pages) if "审核意见单" in text or "审核人" in text]
        form = next(i + 1 for i, text in enumerate(pages) if "部门整体支出绩效自评表" in text)
        render_page(pdf, form, DOCS / "marked_cells.png")
        render_page(pdf, review[0], DOCS / "review_sheet.png")
        if len(review) > 1:
            render_page(pdf, review[1], DOCS / "review_sheet_page2.png")
        else:
            (DOCS / "review_sheet_page2.png").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
