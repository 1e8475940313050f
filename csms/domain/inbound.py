"""What stations report, version-neutral: built from the wire by `csms/ocpp/vXX/translate.py`,
handled by the services. (Reports of one kind only, such as a boot, a connector's status or a
security event, are the model's `BootInfo`, `ConnectorState` and `SecurityEvent`.)

1.6 StartTransaction / MeterValues / StopTransaction and 2.0.1 TransactionEvent
Started / Updated / Ended all become a `TxEvent`; meter values that name no transaction are a
`MeterReport`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from csms.domain.evolve import quick_init
from csms.domain.model import Sample


class TxEventKind(StrEnum):
    STARTED = "started"
    UPDATED = "updated"
    ENDED = "ended"


@quick_init
@dataclass(frozen=True, slots=True)
class TxEvent:
    kind: TxEventKind
    station_id: str
    timestamp: datetime
    transaction_id: str | None = None  # None: the CSMS allocates one (1.6 StartTransaction)
    evse_id: int | None = None
    connector_id: int | None = None
    id_token: str | None = None
    meter_wh: float | None = None  # 1.6 meterStart / meterStop
    samples: tuple[Sample, ...] = ()
    stop_reason: str | None = None
    seq_no: int | None = None
    remote_start_id: int | None = None
    offline: bool = False
    reservation_id: int | None = None  # the reservation the station says this start uses


@quick_init
@dataclass(frozen=True, slots=True)
class MeterReport:
    """Meter values outside any transaction the station named. `attach_to_active`: 1.6
    chargers that omit transactionId get theirs added to the transaction running on the
    connector (1.6 connector N is EVSE N, connector 1: the EVSE decides)."""

    station_id: str
    evse_id: int
    connector_id: int | None
    samples: tuple[Sample, ...]
    attach_to_active: bool
    received_at: datetime

    def as_update(self, transaction_id: str) -> TxEvent:
        return TxEvent(TxEventKind.UPDATED, self.station_id, self.received_at,
                       transaction_id=transaction_id, samples=self.samples)
