"""Telling a failure of the database itself from a write whose data the database refuses.

A constraint or a bad value is one write's fault: the writer fails that write and commits its
neighbours. Disk full, a read-only file, a lost or refused connection are nobody's: every
write of the batch fails, and the station retries once the database is back.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

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
