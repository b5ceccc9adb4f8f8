"""Regenerate the committed blank templates in this folder.

    python templates/regenerate.py          # year 2025, both forms

(the same as ``selfeval template --year 2025 -o templates`` and
``selfeval template --year 2025 --form project -o templates``).
``tests/test_template.py`` checks that the committed files match.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from selfeval_xlsx import layout  # noqa: E402
from selfeval_xlsx.template import write_template  # noqa: E402

YEAR = 2025


def regenerate(folder: Path = HERE, year: int = YEAR) -> list[Path]:
    return [
        write_template(folder / spec.default_filename(year), form=kind, year=year)
        for kind, spec in layout.FORMS.items()
    ]


if __name__ == "__main__":
    for path in regenerate():
        print(path)
