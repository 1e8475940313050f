"""The hot path's records land as the rows SQLAlchemy would have written, on both databases.

SQLite's busiest kinds bypass SQLAlchemy's parameter processing (plain tuples, times formatted
by `sqlite_time`): these tests read the rows back through the ordinary repositories and
compare them with what was written, so a column in the wrong place or a time in another
format fails here rather than in a report weeks later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from csms.clock import EPOCH, MICROSECOND
from csms.domain.model import ConnectorState, Sample, Station, Transaction
from csms.domain.records import ConnectorSaved, SamplesAdded, TransactionInserted, TransactionSaved
from csms.persistence import records, rows
from csms.persistence import tables as t
from csms.persistence.database import SqlDatabase
from csms.persistence.message_packs import _RAW_PACKS
from csms.persistence.raw import sqlite_time
from csms.persistence.unit_of_work import SqlUnitOfWork
from csms.services.ports import UnitOfWork

T0 = datetime(2026, 12, 6, 20, 0, 0, 123456, tzinfo=UTC)
SOFIA = timezone(timedelta(hours=2))


def test_compiled_statements_take_their_parameters_in_the_order_the_rows_give_them() -> None:
    saved = tuple(key for _, key in records._SAVED_KEYS)
    assert records._RAW_SAVE_TX.order == (*saved, "b_pk")
    running = tuple(key for _, key in records._RUNNING_KEYS)
    assert records._RAW_SAVE_RUNNING.order == (*running, "b_pk")
    # a running transaction's save leaves the indexed stop time alone (a page less per save)
    assert "b_stopped_at" in saved and "b_stopped_at" not in running
    assert records._RAW_READINGS.order == ("station_id", "transaction_pk", "evse_id",
                                           "connector_id", "timestamp", "samples")
    assert records._RAW_CONNECTORS.order == records._CONNECTOR_KEYS
    assert sorted(records._RAW_INSERT_TX.order) == sorted(("pk", *rows.TX_FIELDS))
    assert records._RAW_HISTORY.order == ("station_id", "evse_id", "connector_id", "status",
                                          "error_code", "at")


@given(st.datetimes(timezones=st.sampled_from([UTC, SOFIA, timezone(timedelta(hours=-7))])))
def test_times_are_stored_exactly_as_sqlalchemy_would(value: datetime) -> None:
    dialect = sqlite.dialect()
    utc = value.astimezone(UTC).replace(tzinfo=None)
    expected = sqlite.DATETIME().bind_processor(dialect)(utc)  # type: ignore[misc,no-untyped-call]
    assert sqlite_time(value) == expected
    assert sqlite_time(utc) == expected  # naive means UTC
    assert sqlite_time(None) is None


def test_a_remembered_time_text_belongs_to_its_instant_not_its_wall_clock() -> None:
    noon_sofia = datetime(2026, 12, 7, 12, 0, 0, 1, tzinfo=SOFIA)
    assert sqlite_time(noon_sofia) == "2026-12-07 10:00:00.000001"
    assert sqlite_time(noon_sofia.replace(tzinfo=None)) == "2026-12-07 12:00:00.000001"
    assert sqlite_time(noon_sofia.astimezone(UTC)) == "2026-12-07 10:00:00.000001"


async def test_records_read_back_unchanged(db: SqlDatabase) -> None:
    def add_station(uow: UnitOfWork) -> None:
        uow.stations.add(Station(id="R1", created_at=T0))

    await db.write(add_station)
    tx = Transaction(pk=41, station_id="R1", transaction_id="tx-1", evse_id=1, connector_id=1,
                     id_token="TOKEN", started_at=T0, meter_start_wh=10.0)
    await db.append([TransactionInserted(tx)])
    running = replace(tx, last_register_wh=500.0, last_register_at=T0 + timedelta(minutes=4),
                      energy_wh=490.0, seq_no=3, seq_seen="0-3")
    await db.append([TransactionSaved(running)])  # the running save: no stop time written
    assert await db.read(lambda uow: uow.transactions.by_pk(41)) == running
    ended = Transaction(
        pk=41, station_id="R1", transaction_id="tx-1", evse_id=1, connector_id=1,
        id_token="TOKEN", started_at=T0, stopped_at=(T0 + timedelta(hours=1)).astimezone(SOFIA),
        meter_start_wh=10.0, meter_stop_wh=7010.5, energy_wh=7000.5, stop_reason="EVDisconnected",
        first_register_wh=10.0, first_register_at=T0, last_register_wh=7010.5,
        last_register_at=T0 + timedelta(minutes=59), interval_energy_wh=12.5, seq_no=7,
        seq_seen="0-7", remote_start_id=99, offline=True)
    samples = (Sample(T0 + timedelta(seconds=1), "Energy.Active.Import.Register", 1.5, "kWh",
                      1500.0, None, "Outlet", "Sample.Periodic"),
               Sample(T0.astimezone(SOFIA), "Current.Import", 16.0, "A", 16.0, "L2", None, None))
    state = ConnectorState(station_id="R1", evse_id=1, connector_id=1, status="Charging",
                           error_code="NoError", updated_at=T0.astimezone(SOFIA))
    later = ConnectorState(station_id="R1", evse_id=1, connector_id=1, status="Finishing",
                           error_code=None, updated_at=T0 + timedelta(minutes=5))
    await db.append([TransactionSaved(ended), SamplesAdded("R1", 1, 1, 41, samples),
                     ConnectorSaved(state)])
    await db.append([ConnectorSaved(later)])

    Rows = Sequence[Any]

    def read(uow: UnitOfWork) -> tuple[Transaction | None, Rows, list[Sample], Rows, Rows]:
        assert isinstance(uow, SqlUnitOfWork)
        conn = uow.connection
        got_tx = uow.transactions.by_pk(41)
        readings = conn.execute(select(t.meter_readings).order_by(t.meter_readings.c.id)).all()
        got_connectors = conn.execute(select(t.connectors)).all()
        history = conn.execute(select(t.status_history).order_by(t.status_history.c.id)).all()
        return got_tx, readings, uow.transactions.samples(41), got_connectors, history

    got_tx, readings, got_samples, got_connectors, history = await db.read(read)
    assert got_tx == ended
    # one reading per time, in the order they came; read back in meter-time order
    assert [(r.timestamp, r.transaction_pk, r.station_id, r.evse_id, r.connector_id)
            for r in readings] == [(s.timestamp, 41, "R1", 1, 1) for s in samples]
    assert got_samples == sorted(samples, key=lambda s: s.timestamp)
    assert [s.timestamp.utcoffset() for s in got_samples] == [timedelta(0)] * 2
    assert [(r.status, r.error_code, r.updated_at) for r in got_connectors] == [
        ("Finishing", None, later.updated_at)]
    assert [(r.status, r.error_code, r.at) for r in history] == [
        ("Charging", "NoError", state.updated_at), ("Finishing", None, later.updated_at)]


def test_message_log_statement_takes_the_tuple_order() -> None:
    assert _RAW_PACKS.order == ("station_id", "first_at", "last_at", "frames", "data")


async def test_message_log_rows_read_back_unchanged(db: SqlDatabase) -> None:
    micros = (T0 - EPOCH) // MICROSECOND
    frames = [(micros, "in", '[2,"1","Heartbeat",{}]'),
              (micros + 1_000_000, "out", '[3,"1",{"currentTime":"x"}]')]

    def write(uow: UnitOfWork) -> None:
        uow.messages.append({"R1": frames}, keep=10, trim=[])

    await db.write(write)
    got = await db.read(lambda uow: uow.messages.recent("R1"))
    assert got == [(T0 + timedelta(seconds=1), "out", frames[1][2]), (T0, "in", frames[0][2])]
