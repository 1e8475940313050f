"""What a simulated station holds per EVSE besides its meter: the running transaction and the
reservation that keeps the EVSE for one id token."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class TxState:
    """A running transaction on one EVSE."""

    tx_id: str
    evse_id: int
    connector_id: int
    id_token: str
    started_at: datetime
    start_wh: float
    remote_start_id: int | None = None
    reservation_id: int | None = None
    token_type: str = "ISO14443"
    seq_no: int = 0
    charging_state: str = "Charging"
    stopping: bool = False
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def next_seq(self) -> int:
        """2.0.1 seqNo: 0, 1, 2... per transaction."""
        seq, self.seq_no = self.seq_no, self.seq_no + 1
        return seq


@dataclass
class Reservation:
    """A reservation held on one EVSE until ``expires``."""

    id: int
    evse_id: int
    id_token: str
    expires: datetime
