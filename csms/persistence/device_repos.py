"""Device model repository: variables, requests, monitors, events and display messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from csms.domain.device import (
    Attribute,
    Characteristics,
    DeviceEvent,
    DeviceRequest,
    DisplayMessage,
    Monitor,
    Variable,
    VarKey,
)
from csms.persistence import tables_device as td

_V, _R, _M = td.device_variables, td.device_requests, td.device_monitors
_E, _D = td.device_events, td.display_messages


def _key_values(key: VarKey) -> dict[str, Any]:
    """Key columns: the absent parts stored as '' and 0 (see tables_device)."""
    return {"component": key.component, "component_instance": key.component_instance or "",
            "evse_id": key.evse_id or 0, "connector_id": key.connector_id or 0,
            "variable": key.variable, "variable_instance": key.variable_instance or ""}


def _key_of(r: Any) -> VarKey:
    return VarKey(r.component, r.variable, r.component_instance or None, r.evse_id or None,
                  r.connector_id or None, r.variable_instance or None)


def _match(table: Any, station_id: str, key: VarKey) -> ColumnElement[bool]:
    c = table.c
    return and_(c.station_id == station_id,
                *(c[name] == value for name, value in _key_values(key).items()))


def _variable(r: Any) -> Variable:
    chars = Characteristics(r.data_type, r.unit, r.min_limit, r.max_limit, r.values_list,
                            r.supports_monitoring)
    attrs = tuple(Attribute(**a) for a in r.attributes)
    return Variable(_key_of(r), attrs, chars if any(asdict(chars).values()) else None,
                    r.source, r.request_id, r.updated_at)


def _variable_row(station_id: str, v: Variable, at: datetime) -> dict[str, Any]:
    chars = v.characteristics or Characteristics()
    return {"station_id": station_id, **_key_values(v.key),
            "attributes": [asdict(a) for a in v.attributes], "unit": chars.unit,
            "data_type": chars.data_type, "min_limit": chars.min_limit,
            "max_limit": chars.max_limit, "values_list": chars.values_list,
            "supports_monitoring": chars.supports_monitoring, "source": v.source,
            "request_id": v.request_id, "updated_at": at}


class DeviceRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    # --- variables ----------------------------------------------------------------------

    def upsert_variables(self, station_id: str, variables: Sequence[Variable],
                         at: datetime) -> None:
        latest = {v.key: v for v in variables}  # a repeated key: the last one wins
        self.delete_variables(station_id, list(latest))
        if latest:
            self._c.execute(insert(_V), [_variable_row(station_id, v, at)
                                         for v in latest.values()])

    def set_attribute(self, station_id: str, key: VarKey, attr_type: str, value: str,
                      source: str, at: datetime, readonly: bool | None = None) -> None:
        """One attribute's value, as a write or a read told it; the rest is kept."""
        row = self._c.execute(select(_V).where(_match(_V, station_id, key))).first()
        current = _variable(row) if row else Variable(key, (), source=source)
        attrs = {a.type: a for a in current.attributes}
        old = attrs.get(attr_type, Attribute(attr_type))
        mutability = old.mutability if readonly is None else (
            "ReadOnly" if readonly else "ReadWrite")
        attrs[attr_type] = replace(old, value=value, mutability=mutability)
        updated = replace(current, attributes=tuple(attrs.values()),
                          source=current.source if row else source)
        self.upsert_variables(station_id, [updated], at)

    def delete_variables(self, station_id: str, keys: Sequence[VarKey]) -> None:
        for key in keys:
            self._c.execute(delete(_V).where(_match(_V, station_id, key)))

    def delete_stale_variables(self, station_id: str, before: datetime,
                               configuration: bool) -> int:
        """Forget what a complete answer no longer lists: 1.6 keys (configuration) or the
        2.0.1 inventory."""
        c = _V.c
        kind = (c.component == "") if configuration else (c.component != "")
        q = delete(_V).where(c.station_id == station_id, c.updated_at < before, kind)
        return int(self._c.execute(q).rowcount or 0)

    def variables(self, station_id: str, component: str | None = None,
                  variable: str | None = None, limit: int = 1000,
                  offset: int = 0) -> list[Variable]:
        c = _V.c
        q = select(_V).where(c.station_id == station_id)
        if component is not None:
            q = q.where(c.component == component)
        if variable is not None:
            q = q.where(c.variable == variable)
        q = q.order_by(c.component, c.component_instance, c.evse_id, c.connector_id,
                       c.variable, c.variable_instance).limit(limit).offset(offset)
        return [_variable(r) for r in self._c.execute(q)]

    # --- requests -----------------------------------------------------------------------

    def add_request(self, request: DeviceRequest) -> None:
        self._c.execute(insert(_R).values(**asdict(request)))

    def request(self, station_id: str, request_id: int) -> DeviceRequest | None:
        c = _R.c
        r = self._c.execute(select(_R).where(
            c.station_id == station_id, c.request_id == request_id)).first()
        return DeviceRequest(**r._mapping) if r else None

    def update_request(self, station_id: str, request_id: int, **fields: Any) -> None:
        c = _R.c
        self._c.execute(update(_R).where(
            c.station_id == station_id, c.request_id == request_id).values(**fields))

    def delete_request(self, station_id: str, request_id: int) -> None:
        c = _R.c
        self._c.execute(delete(_R).where(c.station_id == station_id, c.request_id == request_id))

    def requests(self, station_id: str, limit: int = 100) -> list[DeviceRequest]:
        c = _R.c
        q = select(_R).where(c.station_id == station_id).order_by(
            c.requested_at.desc(), c.request_id.desc()).limit(limit)
        return [DeviceRequest(**r._mapping) for r in self._c.execute(q)]

    # --- monitors -----------------------------------------------------------------------

    def upsert_monitors(self, station_id: str, monitors: Sequence[Monitor],
                        at: datetime) -> None:
        latest = {m.id: m for m in monitors}
        self.delete_monitors(station_id, list(latest))
        if latest:
            self._c.execute(insert(_M), [
                {"station_id": station_id, "monitor_id": m.id, **_key_values(m.key),
                 "type": m.type, "value": m.value, "severity": m.severity,
                 "transaction": m.transaction, "updated_at": at} for m in latest.values()])

    def delete_monitors(self, station_id: str, ids: Sequence[int]) -> None:
        if ids:
            c = _M.c
            self._c.execute(delete(_M).where(c.station_id == station_id,
                                             c.monitor_id.in_(list(ids))))

    def delete_stale_monitors(self, station_id: str, before: datetime) -> int:
        c = _M.c
        q = delete(_M).where(c.station_id == station_id, c.updated_at < before)
        return int(self._c.execute(q).rowcount or 0)

    def monitors(self, station_id: str) -> list[Monitor]:
        c = _M.c
        q = select(_M).where(c.station_id == station_id).order_by(c.monitor_id)
        return [Monitor(r.monitor_id, _key_of(r), r.type, r.value, r.severity, r.transaction,
                        r.updated_at) for r in self._c.execute(q)]

    # --- events -------------------------------------------------------------------------

    def add_events(self, station_id: str, events: Sequence[DeviceEvent],
                   at: datetime) -> None:
        if not events:
            return
        rows = []
        for e in events:
            row = {k: v for k, v in asdict(e).items() if k != "key"}
            rows.append(row | _key_values(e.key) | {"station_id": station_id,
                                                    "received_at": at})
        self._c.execute(insert(_E), rows)

    def events(self, station_id: str, component: str | None = None,
               variable: str | None = None, limit: int = 100,
               offset: int = 0) -> list[DeviceEvent]:
        c = _E.c
        q = select(_E).where(c.station_id == station_id)
        if component is not None:
            q = q.where(c.component == component)
        if variable is not None:
            q = q.where(c.variable == variable)
        q = q.order_by(c.id.desc()).limit(limit).offset(offset)
        return [DeviceEvent(
            _key_of(r), r.event_id, r.timestamp, r.trigger, r.actual_value,
            r.notification_type, r.cause, r.tech_code, r.tech_info, r.cleared,
            r.transaction_id, r.variable_monitoring_id, r.received_at)
            for r in self._c.execute(q)]

    # --- display messages ---------------------------------------------------------------

    def upsert_messages(self, station_id: str, messages: Sequence[DisplayMessage],
                        at: datetime) -> None:
        latest = {m.id: m for m in messages}
        c = _D.c
        if not latest:
            return
        self._c.execute(delete(_D).where(c.station_id == station_id,
                                         c.message_id.in_(list(latest))))
        rows = []
        for m in latest.values():
            row = {k: v for k, v in asdict(m).items() if k != "id"}
            rows.append(row | {"station_id": station_id, "message_id": m.id, "updated_at": at})
        self._c.execute(insert(_D), rows)

    def delete_message(self, station_id: str, message_id: int) -> bool:
        c = _D.c
        q = delete(_D).where(c.station_id == station_id, c.message_id == message_id)
        return bool(self._c.execute(q).rowcount)

    def delete_stale_messages(self, station_id: str, before: datetime) -> int:
        c = _D.c
        q = delete(_D).where(c.station_id == station_id, c.updated_at < before)
        return int(self._c.execute(q).rowcount or 0)

    def messages(self, station_id: str) -> list[DisplayMessage]:
        c = _D.c
        q = select(_D).where(c.station_id == station_id).order_by(c.message_id)
        return [DisplayMessage(
            r.message_id, r.priority, r.content, r.format, r.language, r.state, r.start_at,
            r.end_at, r.transaction_id, r.evse_id, r.source, r.updated_at)
            for r in self._c.execute(q)]
