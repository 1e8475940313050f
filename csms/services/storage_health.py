"""Whether writes reach the database: the group-commit writer reports, `/health` reads.

A fault is raised by the first write the database refuses or loses (disk full, read-only
file, connection gone) and cleared by the next commit that succeeds, so the health check
follows what stations experience rather than a separate probe of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class StorageFault:
    error: str  # the database's own words, without a traceback
    since: datetime
    failed_writes: int  # writes answered with an error since `since`


class StorageHealth:
    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._now = now
        self.fault: StorageFault | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None

    def failed(self, error: str, writes: int) -> bool:
        """Record `writes` lost to `error`; True when this starts a fault (log it loudly)."""
        if self.fault is None:
            self.fault = StorageFault(error, self._now(), writes)
            return True
        self.fault = replace(self.fault, error=error,
                             failed_writes=self.fault.failed_writes + writes)
        return False

    def recovered(self) -> StorageFault | None:
        """A commit succeeded: the fault it ends, if any."""
        fault, self.fault = self.fault, None
        return fault
