"""What ``-o`` means, the same for ``template``, ``fill`` and ``batch``.

``-o`` names a folder when the folder exists, when the name ends in ``/`` or
``\\`` (either separator, on any system: users copy paths from Windows), or
when the name has no extension (``-o 校正后``); the output then goes inside it
under its default name, and the folder is created when missing.  Otherwise
``-o`` is the output file itself.
"""

from __future__ import annotations

import os
from pathlib import Path

SEPARATORS = ("/", "\\")


def names_folder(output: str | os.PathLike) -> bool:
    """True when ``-o`` names a folder (see the module doc)."""
    text = os.fspath(output)
    if text.endswith(SEPARATORS) or Path(text).is_dir():
        return True
    return not Path(text).suffix


def folder_path(output: str | os.PathLike) -> Path:
    """The folder ``-o`` names, trailing separators dropped (``out\\`` → ``out``)."""
    text = os.fspath(output)
    return Path(text.rstrip("/\\") or text)


def output_file(output: str | os.PathLike | None, name: str) -> Path:
    """The file to write: ``name`` in the current folder without ``-o``,
    ``name`` inside ``-o`` when it names a folder, else ``-o`` itself."""
    if not output:
        return Path.cwd() / name
    if names_folder(output):
        return folder_path(output) / name
    return Path(output)


__all__ = ["names_folder", "folder_path", "output_file"]
