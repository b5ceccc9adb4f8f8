"""Raw deflate for package members, and their CRC-32.

A filled copy rewrites a few parts of the package (the form's sheet, the
review sheet, styles, workbook, content types) and the loader inflates
every part it reads.  With python-isal installed (Intel's ISA-L, a
dependency where it has wheels) deflating those parts at level 1 takes
about a third of zlib's time at its level 1, for the same size within 2 %,
and inflating about three quarters; without it (a platform it has no wheel
for) the standard library's zlib does the same job.  Both write and read
standard raw deflate streams (wbits -15), so which one ran never shows in
a package's content, only in its compressed bytes.
"""

from __future__ import annotations

import zlib

try:
    from isal import isal_zlib as _impl
except ImportError:  # pragma: no cover - no isal wheel for this platform
    _impl = zlib

#: What a damaged stream raises, whichever library inflates it.
errors: tuple[type[Exception], ...] = tuple({zlib.error, _impl.error})

#: CRC-32 as zip stores it (isal's is the same function, faster).
crc32 = _impl.crc32


def deflate(data: bytes) -> bytes:
    """``data`` as a raw deflate stream at level 1, the level every part
    written back uses: these small XML parts deflate several times faster
    than at zlib's default 6 for a few % more bytes."""
    return _impl.compress(data, 1, wbits=-15)


def inflate(raw: bytes, limit: int) -> bytes:
    """A raw deflate stream inflated to at most ``limit`` bytes (the bomb
    guard: the caller passes the declared size plus one, so a member that
    inflates to more than it declares is caught by its length)."""
    return _impl.decompressobj(-15).decompress(raw, limit)
