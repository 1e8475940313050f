"""Telling a failure of the database itself from a write whose data the database refuses.

A constraint or a bad value is one write's fault: the writer fails that write and commits its
neighbours. Disk full, a read-only file, a lost or refused connection are nobody's: every
write of the batch fails, and the station retries once the database is back.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from csms.logs import Throttle
from csms.services.storage_health import StorageHealth

log = logging.getLogger("csms.persistence.database")
FAULT_LOG_INTERVAL_S = 10.0

# SQLSTATE classes and codes of PostgreSQL that say the server, not the data, is at fault:
# connection exceptions, insufficient resources (disk full), operator intervention (shut down,
# terminated), system errors, "not accepting connections", read-only transaction.
_PG_FAULT_CLASSES = ("08", "53", "57", "58")
_PG_FAULT_CODES = ("55000", "25006")


def is_fault(exc: BaseException) -> bool:
    """The database failed (disk full, read-only, connection lost or refused), rather than
    refusing one write's data (a constraint, a bad value): no single write is to blame."""
    if isinstance(exc, OperationalError | InterfaceError | OSError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        code = str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", "") or "")
        return code[:2] in _PG_FAULT_CLASSES or code in _PG_FAULT_CODES
    return False


def describe(exc: BaseException) -> str:
    """The driver's own words, on one line, without the statement and its parameters."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = " ".join(str(inner).split()) or type(inner).__name__
    return f"{type(inner).__name__}: {text}"[:300]


class FaultLog:
    """Reports the writer's faults to `/health` at once and to the log once per interval."""

    def __init__(self, health: StorageHealth) -> None:
        self.health = health
        self._fault_log = Throttle(FAULT_LOG_INTERVAL_S)

    def failed(self, exc: Exception, writes: int) -> None:
        """Nothing of the batch was committed: health says so, the log once per interval."""
        error = describe(exc)
        first = self.health.failed(error, writes)
        left_out = self._fault_log.allow(error)  # a flapping disk starts faults often
        if left_out is None:
            return
        if first:
            log.error("database writes fail, stations get errors and retry: %s", error,
                      exc_info=exc if not left_out else None)
            return
        fault = self.health.fault
        log.error("database writes still fail (%d failed writes since %s; %d lines like "
                  "this not logged): %s", fault.failed_writes if fault else 0,
                  fault.since.isoformat() if fault else "?", left_out, error)

    def recovered(self) -> None:
        fault = self.health.recovered()
        if fault is not None and self._fault_log.allow("recovered") is not None:
            log.warning("database writes succeed again, after %d failed writes since %s (%s)",
                        fault.failed_writes, fault.since.isoformat(), fault.error)
