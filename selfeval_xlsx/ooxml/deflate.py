"""Raw deflate for the package members fill writes back.

A filled copy rewrites a few parts of the package (the form's sheet, the
review sheet, styles, workbook, content types) and deflates them again.
With python-isal installed (Intel's ISA-L, a dependency where it has
wheels) that takes about a third of zlib's time at level 1, for the same
size within 2 %; without it (a platform it has no wheel for) the standard
library's zlib does the same job.  Both write standard raw deflate streams
(wbits -15), so which one ran never shows in a package's content, only in
its compressed bytes.

isal is imported on the first deflate, so ``selfeval validate``, which only
inflates, does not pay the millisecond loading it costs; inflating stays
with zlib (``ooxml.package.inflate``: isal would save some 20 µs a file).
"""

from __future__ import annotations

import zlib
from types import ModuleType

_impl: ModuleType | None = None  # the deflating library, once asked for


def _library() -> ModuleType:
    global _impl
    if _impl is None:
        try:
            from isal import isal_zlib as impl
        except ImportError:  # pragma: no cover - no isal wheel for this platform
            impl = zlib
        _impl = impl
    return _impl


def deflate(data: bytes) -> bytes:
    """``data`` as a raw deflate stream at level 1, the level every part
    written back uses: these small XML parts deflate several times faster
    than at zlib's default 6 for a few % more bytes."""
    return _library().compress(data, 1, wbits=-15)

