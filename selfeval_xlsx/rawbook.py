"""What loading hands the reader, and what its paths share.

:class:`RawBook` and :class:`RawSheet` are a workbook as ``loading.py``
read it: each sheet a plain grid of values from A1, its merged ranges and
its formula cells.  Beside them, what more than one loading path checks or
says: the limits on cells and text (:data:`MAX_CELLS`, :data:`MAX_TEXT`),
the password-protected message, and :func:`refuse`, the one-line
:class:`~selfeval_xlsx.errors.UnreadableError` every refusal is, with a
hint of what to do.  The limits a single path checks live with that path
(``loading.py``: the file size; ``loading_zip.py``: members and inflated
size; ``loading_native.py``: sheets).
"""

from __future__ import annotations

from selfeval_xlsx.errors import UnreadableError
from selfeval_xlsx.record import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import Any

MAX_CELLS = 5_000_000  # bounding-box cells over all sheets
MAX_TEXT = 32_767  # Excel's limit of characters in a cell

ENCRYPTED_ZH = "文件已加密，请取消密码后重试"
ENCRYPTED_EN = "the file is password-protected; remove the password and try again"


_FRESH: Any = object()  # "not given": the field starts as a new empty list, dict or set


class RawSheet(Record):
    """One sheet as a plain grid, with its merged ranges and formula cells."""

    _fields = ("name", "rows", "merges", "formulas", "fixed_formulas")
    name: str
    rows: list[list[Any]]  # from A1; "" or None for an empty cell
    merges: list[tuple[int, int, int, int]]  # 0-based r0, c0, r1, c1
    # (row, col) 0-based -> (formula text without "=", cached value present?)
    formulas: dict[tuple[int, int], tuple[str, bool]]
    # formula cells other cells depend on the text of (shared-formula masters,
    # array and data-table formulas): fill never rewrites those
    fixed_formulas: set[tuple[int, int]]

    def __init__(self, name: str, rows: list[list[Any]], merges: list[tuple[int, int, int, int]] = _FRESH,
                 formulas: dict[tuple[int, int], tuple[str, bool]] = _FRESH,
                 fixed_formulas: set[tuple[int, int]] = _FRESH) -> None:
        self.name = name
        self.rows = rows
        self.merges = [] if merges is _FRESH else merges
        self.formulas = {} if formulas is _FRESH else formulas
        self.fixed_formulas = set() if fixed_formulas is _FRESH else fixed_formulas


class RawBook(Record):
    """A workbook as loading read it: every sheet's name, the grids of those read."""

    _fields = ("path", "format", "sheet_names", "sheets", "parts")
    path: str
    format: str  # "xlsx" | "xlsm" | "xlsb" | "xls"
    sheet_names: list[str]
    sheets: list[RawSheet]
    # the package's XML parts as loading inflated and checked them (.xlsx/.xlsm), so
    # a writer working on the same file need not inflate them again
    parts: dict[str, bytes]

    #: (the file's bytes, the ZipFile loading opened on them, the
    #: ``ooxml.package.Workbook`` it read through them) of an .xlsx/.xlsm,
    #: else None: a writer patching this very file neither reads it, nor
    #: parses its zip directory, workbook.xml and relationships again.  Not a
    #: field (not in repr or ==).
    package: tuple[bytes, Any, Any] | None

    def __init__(self, path: str, format: str, sheet_names: list[str], sheets: list[RawSheet],
                 parts: dict[str, bytes] = _FRESH) -> None:
        self.path = path
        self.format = format
        self.sheet_names = sheet_names
        self.sheets = sheets
        self.parts = {} if parts is _FRESH else parts
        self.package = None


# What to do, by what went wrong (a message that already says 请… keeps its own).
_HINTS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("不存在",), "请检查文件路径", "check the path"),
    (("文件夹",), "请指定其中的 Excel 文件", "name the Excel files in it"),
    (("损坏", "不完整", "为空", "无法打开"),
     "请向报送单位索取完整的文件，或在 Excel/WPS 中打开后另存为 .xlsx 再试",
     "ask the sender for a complete copy, or open it in Excel/WPS and save it as .xlsx again"),
    (("拒绝读取",), "如确为正常的自评表，请在 Excel/WPS 中打开后另存为 .xlsx 再试",
     "if it is a genuine form, open it in Excel/WPS and save it as .xlsx again"),
)


def refuse(zh: str, en: str, path: Any) -> UnreadableError:
    """The one-line error for a file loading will not read (to raise), with
    what to do appended unless the message already says it (请…)."""
    if "请" not in zh:
        for words, hint_zh, hint_en in _HINTS:
            if any(word in zh for word in words):
                zh, en = f"{zh}；{hint_zh}", f"{en}; {hint_en}"
                break
    return UnreadableError(zh, en, path=str(path))
