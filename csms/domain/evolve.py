"""A copy of a frozen, slotted dataclass with some fields changed, without `replace`'s cost.

`dataclasses.replace` walks the class's fields and then runs the frozen `__init__`, which sets
every field through `object.__setattr__`; a running transaction is copied on nearly every
message it sends. `evolve` runs a
function generated once per class that copies the slots straight across, each through its
slot's own setter (no look-up of the name per field): a 22-field transaction with six fields
changed copies in 1.4 us, against 2.5 through `object.__setattr__` and 5.2 for `replace`
(best of 5 rounds of `timeit`, the same machine).
Like `replace` it takes only field names (anything else is a TypeError); unlike it, it runs no
`__post_init__`, so it is only for classes without one (checked when the class is first seen).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_MISSING: Any = object()
_COPIERS: dict[type, Callable[..., Any]] = {}


def evolve(obj: T, /, **changes: Any) -> T:
    """`dataclasses.replace(obj, **changes)` for frozen dataclasses with slots."""
    copier = _COPIERS.get(type(obj))
    if copier is None:
        copier = _COPIERS[type(obj)] = _copier(type(obj))
    return copier(obj, **changes)  # type: ignore[no-any-return]


def _copier(cls: type) -> Callable[..., Any]:
    params = getattr(cls, "__dataclass_params__", None)
    names = [f.name for f in dataclasses.fields(cls)]
    if (params is None or not params.frozen or "__slots__" not in cls.__dict__
            or hasattr(cls, "__post_init__") or tuple(names) != tuple(cls.__dict__["__slots__"])):
        raise TypeError(f"evolve() needs a frozen dataclass with slots and no __post_init__, "
                        f"not {cls.__name__}")
    args = ", ".join(f"{n}=_M" for n in names)
    lines = [f"def copy(obj, /, *, {args}):", "    new = _new(cls)"]
    lines += [f"    _set_{n}(new, obj.{n} if {n} is _M else {n})" for n in names]
    lines.append("    return new")
    scope: dict[str, Any] = {"_M": _MISSING, "_new": object.__new__, "cls": cls}
    for n in names:  # a slot's member descriptor sets it, frozen or not
        scope[f"_set_{n}"] = cls.__dict__[n].__set__
    exec("\n".join(lines), scope)
    return scope["copy"]  # type: ignore[no-any-return]
