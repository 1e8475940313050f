"""evolve() is dataclasses.replace for frozen, slotted dataclasses, only cheaper."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csms.domain.evolve import evolve, quick_init
from csms.domain.model import Transaction

TX = Transaction(7, "CP1", "tx-1", 1, 2, "TAG", datetime(2026, 12, 7, tzinfo=UTC))
FIELDS = [f.name for f in fields(Transaction)]
VALUES: dict[str, Any] = {
    "energy_wh": 1.5, "stopped_at": datetime(2026, 12, 8, tzinfo=UTC), "id_token": None,
    "seq_no": 4, "seq_seen": "0-4", "offline": True, "stop_reason": "Local",
}


@given(st.sets(st.sampled_from(sorted(VALUES))))
def test_same_as_replace(names: set[str]) -> None:
    changes = {n: VALUES[n] for n in names}
    copied = evolve(TX, **changes)
    assert copied == replace(TX, **changes)
    assert type(copied) is Transaction
    assert copied is not TX
    assert Transaction(7, "CP1", "tx-1", 1, 2, "TAG", datetime(2026, 12, 7, tzinfo=UTC)) == TX


def test_every_field_is_copied() -> None:
    copied = evolve(TX)
    assert [getattr(copied, n) for n in FIELDS] == [getattr(TX, n) for n in FIELDS]


def test_the_copy_stays_frozen() -> None:
    with pytest.raises(AttributeError):
        evolve(TX, energy_wh=2.0).energy_wh = 3.0  # type: ignore[misc]


def test_unknown_field_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        evolve(TX, no_such_field=1)


@dataclass(frozen=True)
class _NoSlots:
    a: int


@dataclass(frozen=True, slots=True)
class _PostInit:
    a: int

    def __post_init__(self) -> None:
        pass


@pytest.mark.parametrize("obj", [_NoSlots(1), _PostInit(1)])
def test_classes_it_cannot_copy_are_refused(obj: object) -> None:
    with pytest.raises(TypeError, match="frozen dataclass with slots"):
        evolve(obj, a=2)


# --- quick_init ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Plain:
    a: int
    b: str = "b"
    c: tuple[int, ...] = field(default_factory=tuple)


@quick_init
@dataclass(frozen=True, slots=True)
class _Quick:
    a: int
    b: str = "b"
    c: tuple[int, ...] = field(default_factory=tuple)


@pytest.mark.parametrize(("args", "kwargs"), [
    ((1,), {}), ((1, "x"), {}), ((1,), {"c": (2,)}), ((), {"a": 3, "b": "y", "c": (4, 5)}),
])
def test_quick_init_builds_what_the_dataclass_would(args: tuple[Any, ...],
                                                    kwargs: dict[str, Any]) -> None:
    quick, plain = _Quick(*args, **kwargs), _Plain(*args, **kwargs)
    assert [getattr(quick, f.name) for f in fields(_Quick)] == \
        [getattr(plain, f.name) for f in fields(_Plain)]
    assert repr(quick).removeprefix("_Quick") == repr(plain).removeprefix("_Plain")
    assert quick == _Quick(*args, **kwargs) and hash(quick) == hash(_Quick(*args, **kwargs))
    with pytest.raises(FrozenInstanceError):
        quick.a = 9  # type: ignore[misc]


def test_quick_init_keeps_the_signature_checks() -> None:
    with pytest.raises(TypeError):
        _Quick()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Quick(1, nope=2)  # type: ignore[call-arg]
    assert _Quick(1).c == ()
    assert replace(_Quick(1), b="z") == _Quick(1, "z")


def test_the_hot_path_classes_are_built_quickly() -> None:
    assert Transaction.__init__.__qualname__ == "Transaction.__init__"
    assert "__setattr__" not in Transaction.__init__.__code__.co_names  # the frozen init's
    assert Transaction(7, "CP1", "tx-1", 1, 2, "TAG", datetime(2026, 12, 7, tzinfo=UTC)) == TX


@pytest.mark.parametrize("kind", ["mutable", "post_init", "no_slots"])
def test_quick_init_refuses_classes_it_cannot_build(kind: str) -> None:
    if kind == "mutable":
        cls: type = dataclass(slots=True)(type("M", (), {"__annotations__": {"a": int}}))
    elif kind == "post_init":
        cls = dataclass(frozen=True, slots=True)(type("P", (), {
            "__annotations__": {"a": int}, "__post_init__": lambda self: None}))
    else:
        cls = dataclass(frozen=True)(type("N", (), {"__annotations__": {"a": int}}))
    with pytest.raises(TypeError):
        quick_init(cls)
