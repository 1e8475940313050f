"""What a station's OCPP conversation may use: the part of the services bundle the server,
the sessions and their handlers call, and nothing else (no database, no commands to other
stations, no planner). The composition root builds it from its bundle.

Every service class the OCPP edge depends on is imported here, and only here.
"""

from __future__ import annotations

from dataclasses import dataclass

from csms.clock import Clock
from csms.services.authorization.reservations import ReservationService
from csms.services.authorization.tokens import TokenService
from csms.services.container import Services
from csms.services.devices.compatibility import CompatibilityBook
from csms.services.devices.data_transfer import DataTransferService
from csms.services.devices.device_model import DeviceModelService
from csms.services.files.diagnostics import DiagnosticsService
from csms.services.files.firmware import FirmwareService
from csms.services.message_log import MessageLog
from csms.services.security.certificates import CertificateService
from csms.services.security.security import SecurityService
from csms.services.smart.preferences import PreferenceService
from csms.services.smart.profiles_state import ProfileStateService
from csms.services.stations.presence import Presence
from csms.services.stations.stations import StationService
from csms.services.transactions.transactions import TransactionService


@dataclass(frozen=True)
class StationServices:
    clock: Clock
    # every frame: logged, the station seen, read through its compatibility profile
    message_log: MessageLog
    presence: Presence
    compatibility: CompatibilityBook
    # the handshake, boot, statuses and reports; authorization; transactions
    stations: StationService
    tokens: TokenService
    transactions: TransactionService
    data_transfer: DataTransferService
    # security: client certificates, CSRs, security events
    certificates: CertificateService
    security: SecurityService
    # firmware and log jobs
    firmware: FirmwareService
    diagnostics: DiagnosticsService
    # what only 2.0.1 stations report: reservation updates, an ISO 15118 car's needs,
    # charging profiles and limits, the device model and display messages
    reservations: ReservationService
    preferences: PreferenceService
    profiles_state: ProfileStateService
    device_model: DeviceModelService

    @classmethod
    def of(cls, s: Services) -> StationServices:
        """The part of the composition root's bundle the OCPP edge uses."""
        return cls(
            clock=s.clock, message_log=s.message_log, presence=s.presence,
            compatibility=s.compatibility, stations=s.stations, tokens=s.tokens,
            transactions=s.transactions, data_transfer=s.data_transfer,
            certificates=s.certificates, security=s.security, firmware=s.firmware,
            diagnostics=s.diagnostics, reservations=s.reservations, preferences=s.preferences,
            profiles_state=s.profiles_state, device_model=s.device_model)
