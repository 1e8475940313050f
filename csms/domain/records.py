"""Typed rows the inbound hot path appends to the group commit.

A station's message is decided in memory (csms.services.stations.live holds what the next message
needs); what must become durable before the reply is expressed as these records. The writer
stores each kind for a whole batch with one multi-row statement, so the cost per message is a
few row bindings rather than a round of reads and single-row statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.domain.evolve import quick_init
from csms.domain.model import BootInfo, ConnectorState, Sample, Transaction
from csms.domain.tariffs import Tariff


@quick_init
@dataclass(frozen=True, slots=True)
class TransactionInserted:
    """A new transaction row, with its primary key already allocated."""

    tx: Transaction


@quick_init
@dataclass(frozen=True, slots=True)
class TransactionSaved:
    """The columns the station's messages own (not the green share, which accounting owns)."""

    tx: Transaction


@quick_init
@dataclass(frozen=True, slots=True)
class SamplesAdded:
    station_id: str
    evse_id: int
    connector_id: int | None
    transaction_pk: int | None
    samples: tuple[Sample, ...]


@quick_init
@dataclass(frozen=True, slots=True)
class ConnectorSaved:
    """The connector's current state, and one line of its status history."""

    state: ConnectorState


@dataclass(frozen=True, slots=True)
class TariffBound:
    transaction_pk: int
    tariff: Tariff
    at: datetime


@dataclass(frozen=True, slots=True)
class StationBooted:
    station_id: str
    info: BootInfo
    status: str
    at: datetime
    known: bool  # an unknown station's boot is answered Rejected and leaves no history


@dataclass(frozen=True, slots=True)
class StationConnected:
    station_id: str
    protocol: str
    at: datetime


Record = (StationConnected | StationBooted | TransactionInserted | TransactionSaved
          | SamplesAdded | ConnectorSaved | TariffBound)
