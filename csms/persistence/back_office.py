"""The back office's unit of work (people, audit, reports) on the same group commit as the
rest: its repositories share the connection and the transaction of the core unit of work."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from csms.persistence.database import SqlDatabase
from csms.persistence.people_repos import AuditRepo, PeopleRepo
from csms.persistence.report_repos import ReportRepo
from csms.persistence.unit_of_work import SqlUnitOfWork
from csms.services.ports import UnitOfWork

T = TypeVar("T")


class OfficeUnitOfWork:
    def __init__(self, conn: Connection) -> None:
        self.people = PeopleRepo(conn)
        self.audit = AuditRepo(conn)
        self.reports = ReportRepo(conn)


def _connection(uow: UnitOfWork) -> Connection:
    """The core unit of work's connection: these repositories share its transaction."""
    assert isinstance(uow, SqlUnitOfWork)
    return uow.connection


class OfficeDatabase:
    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def write(self, work: Callable[[OfficeUnitOfWork], T]) -> T:
        return await self._db.write(lambda uow: work(OfficeUnitOfWork(_connection(uow))))

    async def read(self, work: Callable[[OfficeUnitOfWork], T]) -> T:
        return await self._db.read(lambda uow: work(OfficeUnitOfWork(_connection(uow))))
