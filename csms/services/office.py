"""The back office's services bundle: people and their credentials, the audit log, reports."""

from __future__ import annotations

from dataclasses import dataclass

from csms.services.audit import AuditService
from csms.services.people import PeopleService
from csms.services.people_ports import OfficeDatabase
from csms.services.statements import ReportService


@dataclass
class Office:
    db: OfficeDatabase
    people: PeopleService
    audit: AuditService
    reports: ReportService
