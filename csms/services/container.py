"""The services bundle handed to the API and the OCPP edge by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from csms.clock import Clock
from csms.services.accounting import AccountingService
from csms.services.commands import CommandService
from csms.services.eventbus import EventBus
from csms.services.forecast import ForecastService
from csms.services.message_log import MessageLog
from csms.services.ports import Database, StationGateway
from csms.services.preferences import PreferenceService
from csms.services.presence import Presence
from csms.services.sites import SiteService
from csms.services.smart_charging import SmartChargingService
from csms.services.stations import StationService
from csms.services.tokens import TokenService
from csms.services.transactions import TransactionService


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
