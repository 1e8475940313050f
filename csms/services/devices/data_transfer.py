"""DataTransfer from stations: a registry of vendor handlers, the same for 1.6 and 2.0.1.

Every incoming DataTransfer is stored as a station report (`/stations/{id}/reports?kind=
DataTransfer`) and answered by the handler registered for its vendorId (and messageId):
an unknown vendor gets UnknownVendorId, a known vendor with an unknown messageId gets
UnknownMessageId.

Adding a vendor handler: register it in code, at import time of a module that the server
imports (the bottom of this module, as the built-in Ping, or one imported from csms/app.py):

    from csms.services.devices.data_transfer import register

    def temperatures(station_id: str, message_id: str | None, data: Any) -> tuple[str, Any]:
        ...                      # data is what the station sent: a string in 1.6, any JSON in 2.0.1
        return "Accepted", None  # status (Accepted | Rejected | ...) and the reply's data

    register("com.acme", "Temperatures", temperatures)   # or None: every messageId

A handler may also be `async def`. It must not block: it runs on the station's connection.
What it raises is logged and answered Rejected; the station's message stays stored.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from csms.clock import Clock
from csms.services.ports import Database, UnitOfWork

log = logging.getLogger(__name__)

Reply = tuple[str, Any]
Handler = Callable[[str, str | None, Any], Reply | Awaitable[Reply]]

STATUSES = ("Accepted", "Rejected", "UnknownMessageId", "UnknownVendorId")
_handlers: dict[str, dict[str | None, Handler]] = {}


def register(vendor_id: str, message_id: str | None, handler: Handler) -> None:
    """Answer DataTransfer of `vendor_id` (and `message_id`; None: any) with `handler`."""
    if not vendor_id:
        raise ValueError("vendor_id must not be empty")
    _handlers.setdefault(vendor_id, {})[message_id] = handler


def unregister(vendor_id: str, message_id: str | None = None) -> None:
    """Remove a handler (tests, plug-ins being reloaded)."""
    vendor = _handlers.get(vendor_id, {})
    vendor.pop(message_id, None)
    if not vendor:
        _handlers.pop(vendor_id, None)


def _find(vendor_id: str, message_id: str | None) -> Handler | str:
    vendor = _handlers.get(vendor_id)
    if vendor is None:
        return "UnknownVendorId"
    handler = vendor.get(message_id) or vendor.get(None)
    return handler if handler is not None else "UnknownMessageId"


class DataTransferService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def handle(self, station_id: str, vendor_id: str, message_id: str | None,
                     data: Any, as_sent: dict[str, Any]) -> Reply:
        """Store the message (`as_sent`: in the station's own form, shown raw as its report),
        then answer it: (status, data or None)."""
        now = self._clock.now()

        def work(uow: UnitOfWork) -> None:
            uow.station_events.add(station_id, "DataTransfer", now, as_sent)

        await self._db.write(work)
        found = _find(vendor_id, message_id)
        if isinstance(found, str):
            log.info("DataTransfer %s/%s: %s", vendor_id, message_id, found,
                     extra={"station_id": station_id})
            return found, None
        try:
            reply = found(station_id, message_id, data)
            status, out = await reply if inspect.isawaitable(reply) else reply
        except Exception:
            log.exception("DataTransfer handler %s/%s failed", vendor_id, message_id,
                          extra={"station_id": station_id})
            return "Rejected", None
        if status not in STATUSES:
            log.error("DataTransfer handler %s/%s returned status %r", vendor_id, message_id,
                      status, extra={"station_id": station_id})
            return "Rejected", None
        return status, out


# --- built-in handlers ---------------------------------------------------------------------

def _ping(station_id: str, message_id: str | None, data: Any) -> Reply:
    """org.csms/Ping: echoes the data back; lets installers check a station's DataTransfer."""
    return "Accepted", data


register("org.csms", "Ping", _ping)
