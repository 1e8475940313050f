"""Commands and results as plain JSON-able data, and back: the API's bodies and answers and the
cluster's relay use this one mapping, driven by the dataclasses' own type hints.

A dataclass with a `from_data(data)` class method of its own (csms.domain.charging_profiles)
is built by it, so its checks apply to whatever arrives as data.
`to_data` keeps field names as they are (snake_case) and datetimes as ISO 8601; `from_data`
fills absent fields from their defaults and converts nested dataclasses, lists, tuples and
datetimes. Anything else (opaque JSON such as DataTransfer data) passes through unchanged.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Hashable
from datetime import datetime
from functools import cache
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

T = TypeVar("T")


def to_data(value: Any, public: bool = False) -> Any:
    """`public`: the API's answer, without the fields marked internal (typed keys that
    travel between nodes but are not part of the contract)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if (item is None and f.metadata.get("omit_none")) or (
                    public and f.metadata.get("internal")):
                continue
            out[f.name] = to_data(item, public)
        return out
    if isinstance(value, (list, tuple)):
        return [to_data(v, public) for v in value]
    if isinstance(value, dict):
        return {k: to_data(v, public) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def from_data(cls: type[T], data: dict[str, Any]) -> T:
    """Build `cls` from `to_data`'s form; unknown keys are a TypeError (the caller's bug)."""
    hints = _hints(cast(Hashable, cls))
    unknown = set(data) - set(hints)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
    return cls(**{k: _convert(hints[k], v) for k, v in data.items()})


@cache
def _hints(cls: Any) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in get_type_hints(cls).items() if k in names}


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin in (list, tuple):
        args = get_args(hint)
        items = [_convert(args[0], v) for v in value] if args else list(value)
        return tuple(items) if origin is tuple else items
    if hint is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, dict):
        # A type with rules of its own (a charging profile) checks what it is built from.
        parse = getattr(hint, "from_data", None)
        return parse(value) if callable(parse) else from_data(hint, value)
    return value
