"""Pure rules of reservations, local-list updates and availability states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csms.domain.availability import AvailabilityRequest, state_of
from csms.domain.local_lists import LocalListState, next_update
from csms.domain.model import ConnectorState
from csms.domain.reservations import (
    Reservation,
    ReservationStatus,
    check_start,
    effective_status,
    may_authorize,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def res(rid: int, evse: int, token: str = "OWNER", group: str | None = None,
        status: ReservationStatus = ReservationStatus.ACCEPTED, minutes: int = 30
        ) -> Reservation:
    return Reservation(rid, "S", evse, token, group, NOW + timedelta(minutes=minutes), status,
                       NOW)


def test_start_on_reserved_evse() -> None:
    held = [res(1, 1, group="G"), res(2, 2, token="X")]
    assert check_start(held, 1, "OTHER", None, NOW).allowed is False
    assert check_start(held, 1, "OWNER", None, NOW).used == held[0]
    assert check_start(held, 1, "MATE", "G", NOW).used == held[0]
    assert check_start(held, 3, "OTHER", None, NOW) == check_start([], 3, "OTHER", None, NOW)
    assert check_start(held, 1, "OWNER", None, NOW, reservation_id=2).allowed is False


def test_station_wide_reservation_and_expiry() -> None:
    anywhere = [res(1, 0)]
    assert check_start(anywhere, 2, "OTHER", None, NOW).allowed is False
    assert check_start(anywhere, 2, "OWNER", None, NOW).used == anywhere[0]
    late = NOW + timedelta(hours=1)
    assert check_start(anywhere, 2, "OTHER", None, late).allowed is True
    assert effective_status(anywhere[0], late) == ReservationStatus.EXPIRED
    cancelled = [res(1, 0, status=ReservationStatus.CANCELLED)]
    assert check_start(cancelled, 2, "OTHER", None, NOW).allowed is True


def test_authorize_refuses_only_when_nothing_is_free() -> None:
    assert may_authorize([res(1, 1)], [1, 2], "OTHER", None, NOW) is True
    assert may_authorize([res(1, 1), res(2, 2, "X")], [1, 2], "OTHER", None, NOW) is False
    assert may_authorize([res(1, 0)], [1, 2], "OTHER", None, NOW) is False
    assert may_authorize([res(1, 0)], [1, 2], "OWNER", None, NOW) is True
    assert may_authorize([res(1, 1)], [], "OTHER", None, NOW) is True  # EVSEs unknown


def test_local_list_updates() -> None:
    wanted = {"A": {"id_token": "A", "status": "Accepted"},
              "B": {"id_token": "B", "status": "Blocked"}}
    first = next_update(LocalListState("S"), wanted)
    assert first is not None and (first.full, first.version, len(first.entries)) == (True, 1, 2)
    synced = LocalListState("S", 1, first.result, needs_full=False)
    assert next_update(synced, wanted) is None
    changed = {"B": {"id_token": "B", "status": "Accepted"},
               "C": {"id_token": "C", "status": "Accepted"}}
    diff = next_update(synced, changed)
    assert diff is not None and not diff.full and diff.version == 2
    assert list(diff.entries) == [{"id_token": "A"}, changed["B"], changed["C"]]
    assert diff.command().update == "differential"


def test_availability_state() -> None:
    req = AvailabilityRequest("S", 1, 0, False, "Scheduled", NOW)
    busy = [ConnectorState("S", 1, 1, "Charging"), ConnectorState("S", 2, 1, "Available")]
    assert state_of(req, busy) == "scheduled"
    done = [ConnectorState("S", 1, 1, "Unavailable"), busy[1]]
    assert state_of(req, done) == "applied"
    assert state_of(AvailabilityRequest("S", 0, 0, False, "Rejected", NOW), done) == "rejected"
    up = AvailabilityRequest("S", 0, 0, True, "Accepted", NOW)
    assert state_of(up, done) == "accepted" and state_of(up, busy) == "applied"
