"""The unit of work of one connection: every repository, bound to it, and the events its
commit will make true (published by the database writer only after that commit)."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import Connection

from csms.domain.events import Event
from csms.persistence.accounting_repos import AccountingRepo
from csms.persistence.auth_repos import (  # reservations, local lists, availability
    AvailabilityRepo,
    LocalListRepo,
    ReservationRepo,
)
from csms.persistence.billing_repos import BillingRepo, ChargingStateRepo  # tariffs, profiles
from csms.persistence.device_repos import DeviceRepo
from csms.persistence.files_repos import JobRepo, UploadRepo  # firmware, log jobs
from csms.persistence.message_packs import MessageRepo
from csms.persistence.repositories import (
    KeyValueRepo,
    StationEventRepo,
    StationRepo,
    TokenRepo,
    TransactionRepo,
)
from csms.persistence.security_repos import SecurityRepo  # CA, issued certificates
from csms.persistence.setup_repos import StationSetupRepo  # metering set on boot
from csms.persistence.site_repos import PreferenceRepo, SiteRepo
from csms.persistence.smart_repos import CapabilityRepo, GroupDefaultsRepo


class SqlUnitOfWork:
    """Repositories bound to one connection, plus the events to publish on commit.

    Each repository is made the first time a work asks for it: most works touch one or two
    of them, and the writer makes a unit of work for every job of every batch.
    """

    def __init__(self, conn: Connection) -> None:
        self.connection = conn  # for other persistence modules' repositories (back office)
        self.events: list[Event] = []

    @cached_property
    def stations(self) -> StationRepo:
        return StationRepo(self.connection)

    @cached_property
    def tokens(self) -> TokenRepo:
        return TokenRepo(self.connection)

    @cached_property
    def transactions(self) -> TransactionRepo:
        return TransactionRepo(self.connection)

    @cached_property
    def station_events(self) -> StationEventRepo:
        return StationEventRepo(self.connection)

    @cached_property
    def kv(self) -> KeyValueRepo:
        return KeyValueRepo(self.connection)

    @cached_property
    def messages(self) -> MessageRepo:
        return MessageRepo(self.connection)

    @cached_property
    def sites(self) -> SiteRepo:
        return SiteRepo(self.connection)

    @cached_property
    def preferences(self) -> PreferenceRepo:
        return PreferenceRepo(self.connection)

    @cached_property
    def accounting(self) -> AccountingRepo:
        return AccountingRepo(self.connection)

    @cached_property
    def reservations(self) -> ReservationRepo:
        return ReservationRepo(self.connection)

    @cached_property
    def local_lists(self) -> LocalListRepo:
        return LocalListRepo(self.connection)

    @cached_property
    def availability(self) -> AvailabilityRepo:
        return AvailabilityRepo(self.connection)

    @cached_property
    def device(self) -> DeviceRepo:
        return DeviceRepo(self.connection)

    @cached_property
    def charging_capabilities(self) -> CapabilityRepo:
        return CapabilityRepo(self.connection)

    @cached_property
    def group_defaults(self) -> GroupDefaultsRepo:
        return GroupDefaultsRepo(self.connection)

    @cached_property
    def billing(self) -> BillingRepo:
        return BillingRepo(self.connection)

    @cached_property
    def charging_state(self) -> ChargingStateRepo:
        return ChargingStateRepo(self.connection)

    @cached_property
    def jobs(self) -> JobRepo:
        return JobRepo(self.connection)

    @cached_property
    def uploads(self) -> UploadRepo:
        return UploadRepo(self.connection)

    @cached_property
    def security(self) -> SecurityRepo:
        return SecurityRepo(self.connection)

    @cached_property
    def station_setup(self) -> StationSetupRepo:  # metering set on boot
        return StationSetupRepo(self.connection)

    def publish(self, event: Event) -> None:
        self.events.append(event)
