"""Typed reads of a JSON record read back from the ledger, each error naming the field by its path.

The ``from_dict`` constructors of :mod:`hedgerow.domain.plan` read stored explanations through :class:`Fields`:
tolerant of records written by older versions (a key with a default may be missing) and strict on types (a value
of the wrong type raises :class:`~hedgerow.errors.RecordFormatError` naming the field, e.g.
``alternatives[1].cvar: expected a number, got 'x'``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Any, TypeVar

from hedgerow.errors import RecordFormatError

E = TypeVar("E", bound=Enum)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


class Fields:
    """One JSON object of a record, read field by field; ``path`` names it in errors (``""`` for the record)."""

    def __init__(self, data: Any, path: str = "") -> None:
        if not isinstance(data, Mapping):
            raise RecordFormatError(f"{path or 'the record'}: expected an object, got {_shown(data)}")
        self._data: Mapping[str, Any] = data
        self.path = path

    def name(self, key: str) -> str:
        """The path of a field, e.g. ``alternatives[1].cvar``."""
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, expected: str, value: Any) -> RecordFormatError:
        """The error for a field whose value is not what it should be."""
        return RecordFormatError(f"{self.name(key)}: expected {expected}, got {_shown(value)}")

    def _get(self, key: str, default: Any) -> Any:
        if key in self._data:
            return self._data[key]
        if default is None:
            raise RecordFormatError(f"{self.name(key)}: missing")
        return default

    def __iter__(self) -> Iterator[str]:
        """The keys of the object, in their order."""
        return (str(k) for k in self._data)

    def text(self, key: str, default: str | None = None) -> str:
        """A string; required unless ``default`` is given."""
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, "text", value)
        return value

    def opt_text(self, key: str) -> str | None:
        """A string or null (missing: None)."""
        value = self._data.get(key)
        if value is not None and not isinstance(value, str):
            raise self.error(key, "text or null", value)
        return value

    def number(self, key: str, default: float | None = None) -> float:
        """A number (null, which the JSON form writes for a non-finite value, reads as NaN)."""
        value = self._get(key, default)
        return math.nan if value is None else self._float(key, value)

    def opt_number(self, key: str) -> float | None:
        """A number or null (missing: None)."""
        value = self._data.get(key)
        return None if value is None else self._float(key, value)

    def _float(self, key: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, "a number", value)
        return float(value)

    def integer(self, key: str, default: int | None = None) -> int:
        """A whole number (a float with no fraction is accepted)."""
        value = self._get(key, default)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, "a whole number", value)
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        """True or false."""
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "true or false", value)
        return value

    def enum(self, key: str, cls: type[E]) -> E:
        """A member of ``cls`` by its value."""
        value = self._get(key, None)
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in cls)
            raise self.error(key, f"one of {allowed}", value) from None

    def key_as(self, key: str, cls: type[E]) -> E:
        """A key of the object (not its value) as a member of ``cls``, e.g. the cost term of a breakdown entry."""
        try:
            return cls(key)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in cls)
            raise RecordFormatError(f"{self.name(key)}: not a known name (one of {allowed})") from None

    def opt_enum(self, key: str, cls: type[E]) -> E | None:
        """A member of ``cls`` or null (missing: None)."""
        return None if self._data.get(key) is None else self.enum(key, cls)

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings (missing or null: empty)."""
        values = self._list(key)
        for i, v in enumerate(values):
            if not isinstance(v, str):
                raise self.error(f"{key}[{i}]", "text", v)
        return tuple(values)

    def numbers(self, key: str) -> tuple[float, ...]:
        """A list of numbers, nulls reading as NaN (missing or null: empty)."""
        return tuple(math.nan if v is None else self._float(f"{key}[{i}]", v) for i, v in enumerate(self._list(key)))

    def objects(self, key: str) -> list[Fields]:
        """A list of objects (missing or null: empty)."""
        return [Fields(v, f"{self.name(key)}[{i}]") for i, v in enumerate(self._list(key))]

    def obj(self, key: str) -> Fields | None:
        """An object, or None when missing or null."""
        value = self._data.get(key)
        return None if value is None else Fields(value, self.name(key))

    def _list(self, key: str) -> list[Any]:
        value = self._data.get(key)
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            raise self.error(key, "a list", value)
        return list(value)
