"""The back office's services bundle: people and their credentials, the audit log, reports."""

from __future__ import annotations

from dataclasses import dataclass

from csms.services.office.audit import AuditService
from csms.services.office.people import PeopleService
from csms.services.office.ports import OfficeDatabase
from csms.services.office.statements import ReportService


@dataclass
class Office:
    db: OfficeDatabase
    people: PeopleService
    audit: AuditService
    reports: ReportService
