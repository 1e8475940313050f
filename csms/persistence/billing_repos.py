"""Repositories of tariffs and transaction costs, and of stations' charging state
(installed profiles, profile reports, external limits). Tables: tables_billing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, insert, select, update

from csms.domain.charging_state import (
    ChargingLimit,
    InstalledProfile,
    LimitPeriod,
    LimitSchedule,
    ProfileReportPart,
)
from csms.domain.model import Transaction
from csms.domain.tariffs import PRICE_FIELDS, Tariff
from csms.persistence import rows
from csms.persistence import tables as t
from csms.persistence import tables_billing as b

_KEEP_REPORTS = 5  # request ids of ReportChargingProfiles kept per station


def _tariff(r: Row[Any]) -> Tariff:
    m = r._mapping
    return Tariff(
        id=m["id"], name=m["name"], currency=m["currency"],
        price_per_kwh=Decimal(m["price_per_kwh"]),
        green_price_per_kwh=Decimal(m["green_price_per_kwh"]),
        price_per_minute=Decimal(m["price_per_minute"]), session_fee=Decimal(m["session_fee"]),
        site_id=m["site_id"], group_id=m["group_id"], created_at=m["created_at"],
        updated_at=m["updated_at"])


def _prices(tariff: Tariff) -> dict[str, str]:
    return {name: str(getattr(tariff, name)) for name in PRICE_FIELDS}


# Every stopped transaction runs this: built once, it costs 16 us a stop instead of 100-120
# (building the clause each time dominated; `timeit` on SQLite).
_PROFILES = b.installed_profiles.c
_DELETE_TX_PROFILES = delete(b.installed_profiles).where(
    (_PROFILES.station_id == bindparam("b_station")) & (_PROFILES.purpose == "tx")
    & (_PROFILES.transaction_id == bindparam("b_tx")))


class BillingRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    # --- tariffs ---------------------------------------------------------------------
    def get(self, tariff_id: str) -> Tariff | None:
        r = self._c.execute(select(b.tariffs).where(b.tariffs.c.id == tariff_id)).first()
        return _tariff(r) if r else None

    def all(self) -> list[Tariff]:
        return [_tariff(r) for r in self._c.execute(select(b.tariffs).order_by(b.tariffs.c.id))]

    def for_site(self, site_id: str) -> Tariff | None:
        r = self._c.execute(select(b.tariffs).where(b.tariffs.c.site_id == site_id)).first()
        return _tariff(r) if r else None

    def for_group(self, group_id: str) -> Tariff | None:
        r = self._c.execute(select(b.tariffs).where(b.tariffs.c.group_id == group_id)).first()
        return _tariff(r) if r else None

    def default(self) -> Tariff | None:
        c = b.tariffs.c
        q = select(b.tariffs).where(c.site_id.is_(None) & c.group_id.is_(None)).order_by(c.id)
        r = self._c.execute(q).first()
        return _tariff(r) if r else None

    def add(self, tariff: Tariff) -> None:
        self._c.execute(insert(b.tariffs).values(
            id=tariff.id, name=tariff.name, currency=tariff.currency, site_id=tariff.site_id,
            group_id=tariff.group_id, created_at=tariff.created_at,
            updated_at=tariff.updated_at, **_prices(tariff)))

    def replace(self, tariff: Tariff) -> None:
        self._c.execute(update(b.tariffs).where(b.tariffs.c.id == tariff.id).values(
            name=tariff.name, currency=tariff.currency, site_id=tariff.site_id,
            group_id=tariff.group_id, updated_at=tariff.updated_at, **_prices(tariff)))

    def delete(self, tariff_id: str) -> bool:
        return bool(self._c.execute(delete(b.tariffs).where(b.tariffs.c.id == tariff_id)).rowcount)

    def group_known(self, group_id: str) -> bool:
        q = select(t.id_tokens.c.id_token).where(t.id_tokens.c.group_id == group_id).limit(1)
        return self._c.execute(q).first() is not None

    # --- the tariff a transaction is priced with ----------------------------------------
    def bound(self, transaction_pks: Sequence[int]) -> dict[int, Tariff]:
        c = b.transaction_tariffs.c
        out: dict[int, Tariff] = {}
        pks = list(transaction_pks)
        for i in range(0, len(pks), 500):
            q = select(b.transaction_tariffs).where(c.transaction_pk.in_(pks[i:i + 500]))
            for r in self._c.execute(q):
                m = r._mapping
                out[m["transaction_pk"]] = Tariff(
                    id=m["tariff_id"], currency=m["currency"],
                    price_per_kwh=Decimal(m["price_per_kwh"]),
                    green_price_per_kwh=Decimal(m["green_price_per_kwh"]),
                    price_per_minute=Decimal(m["price_per_minute"]),
                    session_fee=Decimal(m["session_fee"]))
        return out

    def bind(self, transaction_pk: int, tariff: Tariff, at: datetime) -> None:
        self._c.execute(insert(b.transaction_tariffs).values(
            transaction_pk=transaction_pk, tariff_id=tariff.id, currency=tariff.currency,
            bound_at=at, **_prices(tariff)))

    def active_priced(self) -> list[tuple[Transaction, Tariff]]:
        """Running transactions that have a tariff."""
        tx = t.transactions.c
        q = (select(t.transactions)
             .join(b.transaction_tariffs, b.transaction_tariffs.c.transaction_pk == tx.pk)
             .where(tx.stopped_at.is_(None)).order_by(tx.pk))
        txs = [rows.transaction(r) for r in self._c.execute(q)]
        bound = self.bound([x.pk for x in txs])
        return [(x, bound[x.pk]) for x in txs if x.pk in bound]


class ChargingStateRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    # --- installed profiles -------------------------------------------------------------
    def profiles(self, station_id: str) -> list[InstalledProfile]:
        c = b.installed_profiles.c
        q = (select(b.installed_profiles).where(c.station_id == station_id)
             .order_by(c.evse_id, c.purpose, c.stack_level, c.profile_id))
        return [InstalledProfile(**dict(r._mapping)) for r in self._c.execute(q)]

    def put_profile(self, p: InstalledProfile) -> None:
        """Install `p`, replacing a profile with the same id (OCPP: same id replaces)."""
        self.delete_profiles(p.station_id, [p.profile_id])
        self._c.execute(insert(b.installed_profiles).values(
            station_id=p.station_id, profile_id=p.profile_id, evse_id=p.evse_id,
            purpose=p.purpose, stack_level=p.stack_level, transaction_id=p.transaction_id,
            profile=p.profile, set_at=p.set_at))

    def delete_profiles(self, station_id: str, profile_ids: Sequence[int]) -> int:
        c = b.installed_profiles.c
        q = delete(b.installed_profiles).where(
            (c.station_id == station_id) & c.profile_id.in_(list(profile_ids)))
        return int(self._c.execute(q).rowcount or 0)

    def delete_tx_profiles(self, station_id: str, transaction_id: str) -> int:
        return int(self._c.execute(_DELETE_TX_PROFILES, {"b_station": station_id,
                                                         "b_tx": transaction_id}).rowcount or 0)

    def delete_ended_tx_profiles(self) -> int:
        """TxProfiles whose transaction is no longer running (a stop missed by a restart)."""
        c, tx = b.installed_profiles.c, t.transactions.c
        running = select(tx.transaction_id).where(
            (tx.station_id == c.station_id) & tx.stopped_at.is_(None))
        q = delete(b.installed_profiles).where(
            (c.purpose == "tx") & c.transaction_id.is_not(None)
            & c.transaction_id.not_in(running.scalar_subquery()))
        return int(self._c.execute(q).rowcount or 0)

    # --- ReportChargingProfiles ---------------------------------------------------------
    def add_report(self, part: ProfileReportPart) -> None:
        self._c.execute(insert(b.charging_profile_reports).values(
            station_id=part.station_id, request_id=part.request_id, seq=part.seq,
            evse_id=part.evse_id, source=part.source, profiles=list(part.profiles),
            tbc=part.tbc, received_at=part.received_at))
        c = b.charging_profile_reports.c
        newest = (select(c.request_id).where(c.station_id == part.station_id)
                  .group_by(c.request_id).order_by(func.max(c.id).desc()).limit(_KEEP_REPORTS))
        self._c.execute(delete(b.charging_profile_reports).where(
            (c.station_id == part.station_id) & c.request_id.not_in(newest.scalar_subquery())))

    def report_parts(self, station_id: str, request_id: int) -> list[ProfileReportPart]:
        c = b.charging_profile_reports.c
        q = (select(b.charging_profile_reports)
             .where((c.station_id == station_id) & (c.request_id == request_id)).order_by(c.id))
        return [_part(r) for r in self._c.execute(q)]

    def next_seq(self, station_id: str, request_id: int) -> int:
        return len(self.report_parts(station_id, request_id))

    def last_report(self, station_id: str) -> list[ProfileReportPart]:
        c = b.charging_profile_reports.c
        q = (select(c.request_id).where(c.station_id == station_id)
             .order_by(c.id.desc()).limit(1))
        request_id = self._c.execute(q).scalar()
        return [] if request_id is None else self.report_parts(station_id, request_id)

    # --- external limits ----------------------------------------------------------------
    def limits(self, station_id: str) -> list[ChargingLimit]:
        c = b.charging_limits.c
        q = (select(b.charging_limits).where(c.station_id == station_id)
             .order_by(c.evse_id, c.source))
        return [ChargingLimit(
            station_id=r.station_id, evse_id=r.evse_id, source=r.source,
            grid_critical=r.grid_critical,
            schedules=tuple(_limit_schedule(x) for x in r.schedules or ()),
            received_at=r.received_at, as_sent=tuple(r.as_sent or ()))
            for r in self._c.execute(q)]

    def put_limit(self, limit: ChargingLimit) -> None:
        self.clear_limits(limit.station_id, limit.source, limit.evse_id)
        self._c.execute(insert(b.charging_limits).values(
            station_id=limit.station_id, evse_id=limit.evse_id, source=limit.source,
            grid_critical=limit.grid_critical,
            schedules=[limit_schedule_data(x) for x in limit.schedules],
            received_at=limit.received_at, as_sent=[dict(x) for x in limit.as_sent]))

    def clear_limits(self, station_id: str, source: str, evse_id: int | None) -> int:
        c = b.charging_limits.c
        where = (c.station_id == station_id) & (c.source == source)
        if evse_id is not None:
            where = where & (c.evse_id == evse_id)
        return int(self._c.execute(delete(b.charging_limits).where(where)).rowcount or 0)


def _part(r: Row[Any]) -> ProfileReportPart:
    m = r._mapping
    return ProfileReportPart(
        station_id=m["station_id"], request_id=m["request_id"], seq=m["seq"],
        evse_id=m["evse_id"], source=m["source"], profiles=tuple(m["profiles"] or ()),
        tbc=m["tbc"], received_at=m["received_at"])


def limit_schedule_data(s: LimitSchedule) -> dict[str, Any]:
    """A LimitSchedule as stored (the data migration 0015 writes the same shape)."""
    return {"unit": s.unit, "start": None if s.start is None else s.start.isoformat(),
            "duration_s": s.duration_s,
            "periods": [{"start_s": p.start_s, "limit": p.limit, "phases": p.phases}
                        for p in s.periods]}


def _limit_schedule(d: dict[str, Any]) -> LimitSchedule:
    start = d.get("start")
    return LimitSchedule(
        unit=d["unit"], start=None if start is None else datetime.fromisoformat(start),
        duration_s=d.get("duration_s"),
        periods=tuple(LimitPeriod(p["start_s"], p["limit"], p.get("phases"))
                      for p in d["periods"]))
