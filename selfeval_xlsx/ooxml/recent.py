"""A small memo of recent parts, by their bytes (see :class:`RecentParts`).

Used by ``xmltext.check_wellformed`` and ``package.deflated``; a module of
its own so that neither imports the other (``package`` is on every
validate run's import path, ``xmltext`` only on the writer's).
"""

from __future__ import annotations


class RecentParts:
    """What was worked out for the last few parts, by their bytes (a
    least-recently-used memo).  A batch of forms from one template writes
    the same styles.xml, workbook.xml, relationships and content types file
    after file (86-100 % of them repeat in the 2,000-file benchmark corpus):
    what is known of such a part (that it is well-formed, its deflated
    bytes) is looked up instead of worked out again.  A part's hash is
    computed once for its bytes object (and that object goes from the
    check to the deflate).  At most ``size`` parts and ``max_bytes`` bytes of
    them are kept (a part bigger than a tenth of that is not)."""

    def __init__(self, size: int, max_bytes: int):
        self.size, self.max_bytes = size, max_bytes
        self._found: dict[bytes, object] = {}
        self._bytes = 0

    def get(self, data: bytes) -> object | None:
        if len(data) * 10 > self.max_bytes:
            return None
        found = self._found.pop(data, None)
        if found is not None:
            self._found[data] = found  # now the most recent
        return found

    def put(self, data: bytes, value: object) -> None:
        if len(data) * 10 > self.max_bytes or data in self._found:
            return
        while self._found and (len(self._found) >= self.size or self._bytes + len(data) > self.max_bytes):
            oldest = next(iter(self._found))  # the least recent
            del self._found[oldest]
            self._bytes -= len(oldest)
        self._found[data] = value
        self._bytes += len(data)
