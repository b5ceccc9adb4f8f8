"""Value classes for the model and the layout tables, without ``dataclasses``.

``selfeval validate`` is a short process, and ``@dataclass`` writes and
compiles its methods when the class is created: about 0.4 ms a class, for
classes that are only ever built, compared and printed.  A class here names
its fields in ``_fields`` (and, frozen, in ``__slots__``), writes its own
``__init__``, and gets from :class:`Record` what a dataclass would have
generated:

* ``repr``: ``Name(field=value, ...)`` in field order, as a dataclass prints;
* ``==``: instances of the same class with equal fields (else
  ``NotImplemented``); unhashable, like a mutable dataclass with ``eq``.

:class:`FrozenRecord` adds what ``frozen=True`` gives: assigning or deleting
a field raises :class:`FrozenInstanceError` (an ``AttributeError``), the hash
is that of the fields, and copying or pickling rebuilds the instance through
``__init__`` (field order).
"""

from __future__ import annotations


class FrozenInstanceError(AttributeError):
    """A field of a frozen record was assigned or deleted."""


class Record:
    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class FrozenRecord(Record):
    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[object, ...]:
        return (self.__class__, self._values())
