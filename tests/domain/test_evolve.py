"""evolve() is dataclasses.replace for frozen, slotted dataclasses, only cheaper."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csms.domain.evolve import evolve
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
