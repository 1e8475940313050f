"""Request dependencies: one per service, and input hygiene (access: csms.api.access).

A route names each service it uses as a parameter (`tariffs: Tariffs`), so its signature
says what it touches. The composition root hands the whole bundle to `create_app`; these
dependencies pick one part each. Every service class the routes depend on is imported here,
and only here. Dependencies without parameters of their own leave the OpenAPI document
unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request

from csms.clock import Clock as _Clock
from csms.services.authorization.local_lists import LocalListService
from csms.services.authorization.reservations import ReservationService
from csms.services.authorization.tokens import TokenService
from csms.services.billing.costs import CostService
from csms.services.billing.tariffs import TariffService
from csms.services.commands import CommandService
from csms.services.container import Services
from csms.services.devices.availability import AvailabilityService
from csms.services.devices.compatibility import CompatibilityBook
from csms.services.devices.device_model import DeviceModelService
from csms.services.devices.station_setup import StationSetupService
from csms.services.files.diagnostics import DiagnosticsService
from csms.services.files.firmware import FirmwareService
from csms.services.message_log import MessageLog as _MessageLog
from csms.services.office.audit import AuditService
from csms.services.office.office import Office
from csms.services.office.people import PeopleService
from csms.services.office.statements import ReportService
from csms.services.ports import Database, StationGateway
from csms.services.security.certificates import CertificateService
from csms.services.security.security import SecurityService
from csms.services.sites.accounting import AccountingService
from csms.services.sites.sites import SiteService
from csms.services.smart.preferences import PreferenceService
from csms.services.smart.profiles_state import ProfileStateService
from csms.services.smart.smart_charging import SmartChargingService
from csms.services.stations.presence import Presence as _Presence
from csms.services.stations.stations import StationService
from csms.services.storage_health import StorageHealth
from csms.services.transactions.transactions import TransactionService

T = TypeVar("T")


def no_nul(request: Request) -> None:
    """Path and query values with NUL characters are refused (PostgreSQL cannot compare them)."""
    values = [*request.path_params.values(), *request.query_params.values()]
    if any("\x00" in str(v) for v in values):
        raise HTTPException(422, "NUL characters are not allowed in the path or query")


def _service(pick: Callable[[Services], T]) -> Callable[[Request], T]:
    """A dependency giving one service of the bundle the composition root handed create_app."""
    def dependency(request: Request) -> T:
        bundle: Services = request.app.state.services
        return pick(bundle)

    return dependency


def _office(pick: Callable[[Office], T]) -> Callable[[Request], T]:
    """The same for the back office (people, audit, reports)."""
    def dependency(request: Request) -> T:
        bundle: Office = request.app.state.office
        return pick(bundle)

    return dependency


# --- the services bundle ------------------------------------------------------------------
Db = Annotated[Database, Depends(_service(lambda s: s.db))]
Clock = Annotated[_Clock, Depends(_service(lambda s: s.clock))]
Gateway = Annotated[StationGateway, Depends(_service(lambda s: s.gateway))]
Presence = Annotated[_Presence, Depends(_service(lambda s: s.presence))]
MessageLog = Annotated[_MessageLog, Depends(_service(lambda s: s.message_log))]
Storage = Annotated[StorageHealth, Depends(_service(lambda s: s.storage))]
Stations = Annotated[StationService, Depends(_service(lambda s: s.stations))]
Tokens = Annotated[TokenService, Depends(_service(lambda s: s.tokens))]
Transactions = Annotated[TransactionService, Depends(_service(lambda s: s.transactions))]
Commands = Annotated[CommandService, Depends(_service(lambda s: s.commands))]
Sites = Annotated[SiteService, Depends(_service(lambda s: s.sites))]
ChargingPreferences = Annotated[PreferenceService, Depends(_service(lambda s: s.preferences))]
SmartCharging = Annotated[SmartChargingService, Depends(_service(lambda s: s.smart_charging))]
Accounting = Annotated[AccountingService, Depends(_service(lambda s: s.accounting))]
DeviceModel = Annotated[DeviceModelService, Depends(_service(lambda s: s.device_model))]
Certificates = Annotated[CertificateService, Depends(_service(lambda s: s.certificates))]
Security = Annotated[SecurityService, Depends(_service(lambda s: s.security))]
Firmware = Annotated[FirmwareService, Depends(_service(lambda s: s.firmware))]
Diagnostics = Annotated[DiagnosticsService, Depends(_service(lambda s: s.diagnostics))]
Reservations = Annotated[ReservationService, Depends(_service(lambda s: s.reservations))]
LocalLists = Annotated[LocalListService, Depends(_service(lambda s: s.local_lists))]
Availability = Annotated[AvailabilityService, Depends(_service(lambda s: s.availability))]
Tariffs = Annotated[TariffService, Depends(_service(lambda s: s.tariffs))]
Costs = Annotated[CostService, Depends(_service(lambda s: s.costs))]
ProfilesState = Annotated[ProfileStateService, Depends(_service(lambda s: s.profiles_state))]
StationSetup = Annotated[StationSetupService, Depends(_service(lambda s: s.station_setup))]
Compatibility = Annotated[CompatibilityBook, Depends(_service(lambda s: s.compatibility))]

# --- the back office: people, audit, reports ------------------------------------------------
People = Annotated[PeopleService, Depends(_office(lambda o: o.people))]
Audit = Annotated[AuditService, Depends(_office(lambda o: o.audit))]
Reports = Annotated[ReportService, Depends(_office(lambda o: o.reports))]
