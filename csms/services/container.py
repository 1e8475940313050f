"""The services bundle handed to the API and the OCPP edge by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field

from csms.clock import Clock
from csms.services.authorization.local_lists import LocalListService
from csms.services.authorization.reservations import ReservationService
from csms.services.authorization.tokens import TokenService
from csms.services.billing.costs import CostService  # tariffs and cost, charging state
from csms.services.billing.tariffs import TariffService
from csms.services.commands import CommandService
from csms.services.devices.availability import AvailabilityService  # reservations, local lists, ...
from csms.services.devices.compatibility import CompatibilityBook  # chargers that break the spec
from csms.services.devices.data_transfer import DataTransferService
from csms.services.devices.device_model import DeviceModelService
from csms.services.devices.station_setup import StationSetupService  # metering set on boot
from csms.services.eventbus import EventBus
from csms.services.files.diagnostics import DiagnosticsService  # firmware and log jobs
from csms.services.files.firmware import FirmwareService
from csms.services.invalidation import Invalidations, LocalInvalidations
from csms.services.message_log import MessageLog
from csms.services.ports import Database, StationGateway
from csms.services.security.certificates import CertificateService
from csms.services.security.security import SecurityService
from csms.services.sites.accounting import AccountingService
from csms.services.sites.forecast import ForecastService
from csms.services.sites.sites import SiteService
from csms.services.smart.preferences import PreferenceService
from csms.services.smart.profiles_state import ProfileStateService
from csms.services.smart.smart_charging import SmartChargingService
from csms.services.stations.presence import Presence
from csms.services.stations.stations import StationService
from csms.services.storage_health import StorageHealth
from csms.services.transactions.transactions import TransactionService


@dataclass
class Services:
    db: Database
    clock: Clock
    events: EventBus
    stations: StationService
    tokens: TokenService
    transactions: TransactionService
    commands: CommandService
    presence: Presence
    message_log: MessageLog
    gateway: StationGateway
    sites: SiteService
    preferences: PreferenceService
    smart_charging: SmartChargingService
    forecasts: ForecastService
    accounting: AccountingService
    # device model, display messages, data transfer
    device_model: DeviceModelService
    data_transfer: DataTransferService
    # security extension, certificates, ISO 15118
    certificates: CertificateService
    security: SecurityService
    # firmware and log jobs, uploaded files
    firmware: FirmwareService
    diagnostics: DiagnosticsService
    # reservations, local authorization lists, availability
    reservations: ReservationService
    local_lists: LocalListService
    availability: AvailabilityService
    # tariffs and cost, charging state
    tariffs: TariffService
    costs: CostService
    profiles_state: ProfileStateService
    station_setup: StationSetupService  # metering set on boot
    # caches on every node drop what a writer changed (one process: handlers run at once)
    invalidations: Invalidations = field(default_factory=LocalInvalidations)
    storage: StorageHealth = field(default_factory=StorageHealth)
    # compatibility profiles in memory (strict for everyone unless the composition root
    # gives the book its database)
    compatibility: CompatibilityBook = field(default_factory=CompatibilityBook)
