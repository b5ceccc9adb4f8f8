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
``__init__`` (field order; :func:`by_keyword` for a class whose ``__init__``
takes keywords only).

:func:`replace` stands in for ``dataclasses.replace``: a new instance through
``__init__`` with some fields changed.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and pyright know the name)
if TYPE_CHECKING:
    from typing import TypeVar

    R = TypeVar("R", bound="Record")

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


def replace(record: R, /, **changes: object) -> R:
    """A copy of ``record`` with ``changes``, built through ``__init__`` (``dataclasses.replace``).

    Every field is passed by keyword, as ``dataclasses.replace`` does; a name
    that is not a field raises ``TypeError``."""
    fields = record._fields
    for name in changes:
        if name not in fields:
            raise TypeError(f"{type(record).__qualname__} has no field {name!r}")
    values = {name: getattr(record, name) for name in fields}
    values.update(changes)
    return record.__class__(**values)


def by_keyword(cls: type[R], names: tuple[str, ...], values: tuple[object, ...]) -> R:
    """``cls(name=value, ...)``: how a record whose ``__init__`` takes keywords only is unpickled."""
    return cls(**dict(zip(names, values)))  # type: ignore[arg-type]
