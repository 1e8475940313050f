"""The audit log: every command, every change made through the API and every sign-in, with
who did it, when and how it ended. Written before the reply leaves, like everything else."""

from __future__ import annotations

from dataclasses import dataclass

from csms.clock import Clock
from csms.domain.people import AuditEntry
from csms.services.office.ports import AuditFilter, OfficeDatabase


@dataclass(frozen=True, slots=True)
class AuditRecord:
    actor: str
    role: str | None
    action: str
    status_code: int
    method: str | None = None
    path: str | None = None
    station_id: str | None = None
    site_id: str | None = None
    outcome: str | None = None
    client: str | None = None


class AuditService:
    def __init__(self, db: OfficeDatabase, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def record(self, r: AuditRecord) -> None:
        at = self._clock.now()
        await self._db.write(lambda uow: uow.audit.add(
            at, r.actor, r.role, r.action, r.method, r.path, r.station_id, r.site_id,
            r.status_code, r.outcome, r.client))

    async def search(self, f: AuditFilter, limit: int, offset: int
                     ) -> tuple[list[AuditEntry], int]:
        return await self._db.read(lambda uow: uow.audit.search(f, limit, offset))
