"""Regular expressions compiled on first use, not at import.

``selfeval validate`` is a short process: compiling every module's patterns at
import cost more than the check itself. ``lazy(pattern, flags)`` stands in for
``re.compile(pattern, flags)``; the first call of any method compiles the
pattern and puts the compiled methods on the instance, so later calls cost
what a compiled pattern's do.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms of a validate run)
if TYPE_CHECKING:
    from typing import Any


class Lazy:
    """A pattern that compiles itself on first use; otherwise a ``re.Pattern``."""

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self._source = pattern
        self._flags = flags

    def compiled(self) -> re.Pattern[Any]:
        c = re.compile(self._source, self._flags)
        # bind the compiled pattern's methods here, so __getattr__ runs once
        for name in ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split"):
            self.__dict__[name] = getattr(c, name)
        self.__dict__["pattern"] = c.pattern
        self.__dict__["flags"] = c.flags
        self.__dict__["groups"] = c.groups
        self.__dict__["groupindex"] = c.groupindex
        self.__dict__["compiled"] = lambda: c
        return c

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"lazy({self._source!r})"


def lazy(pattern: str | bytes, flags: int = 0) -> Any:
    """``re.compile(pattern, flags)``, compiled when first used.

    Typed ``Any`` so call sites read like a compiled pattern's.
    """
    return Lazy(pattern, flags)
