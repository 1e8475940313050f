"""The message mix of one simulated station, for OCPP 1.6 and 2.0.1.

A station alternates idle and charging: Authorize, start (StartTransaction or TransactionEvent
Started), StatusNotification Charging, then mostly meter values (MeterValues or TransactionEvent
Updated) with some Heartbeat, StatusNotification and Authorize, and after about 25 calls a stop
(StopTransaction or TransactionEvent Ended) and StatusNotification Available. Payloads follow the
official schemas, so a validating server answers them with CALLRESULTs.
"""

from __future__ import annotations

import random
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

V16 = "1.6"
V201 = "2.0.1"
SUBPROTOCOL = {V16: "ocpp1.6", V201: "ocpp2.0.1"}

Call = tuple[str, dict[str, Any]]

# Weighted choice while charging; the rest of each session is fixed (start, stop, status).
_IN_TX = (("meter", 0.84), ("heartbeat", 0.05), ("status", 0.03), ("authorize", 0.04),
          ("stop", 0.04))
_KINDS = [k for k, _ in _IN_TX]
_WEIGHTS = [w for _, w in _IN_TX]

_stamp_cache: tuple[int, str] = (0, "")


def now_iso() -> str:
    """UTC timestamp with milliseconds and `Z`, cached per 10 ms (the generator's hot path)."""
    global _stamp_cache
    tick = int(time.time() * 100)
    if _stamp_cache[0] != tick:
        _stamp_cache = (tick, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")
    return _stamp_cache[1]


class StationModel:
    """What one station sends next, given what the server answered so far."""

    def __init__(self, station_id: str, version: str, tags: list[str], seed: int) -> None:
        self.station_id = station_id
        self.version = version
        self.rng = random.Random(seed)
        self.tags = tags
        self.tag = self.rng.choice(tags)
        self.tx_id: int | str | None = None
        self.tx_count = 0
        self.seq_no = 0
        self.energy_wh = float(self.rng.randint(0, 50_000))
        self.queue: deque[Call] = deque()
        self.started = 0  # start calls answered with a transaction
        self.stopped = 0

    # --- the sequence -------------------------------------------------------------------

    def opening(self) -> list[Call]:
        """BootNotification and the first StatusNotification, sent before the timed loop."""
        return [self._boot(), self._status("Available")]

    def next_call(self) -> Call:
        if self.queue:
            return self.queue.popleft()
        if self.tx_id is None:
            self.tag = self.rng.choice(self.tags)
            self.queue.append(self._start())
            return self._authorize()
        kind = self.rng.choices(_KINDS, _WEIGHTS)[0]
        if kind == "meter":
            return self._meter()
        if kind == "heartbeat":
            return ("Heartbeat", {})
        if kind == "status":
            return self._status(self.rng.choice(("Charging", "SuspendedEV")))
        if kind == "authorize":
            return self._authorize()
        self.queue.append(self._status("Available"))
        return self._stop()

    def boot(self) -> Call:
        return self._boot()

    def call(self, kind: str) -> Call | None:
        """A call of one kind, for timed (not closed-loop) load: `next` follows the mix,
        `heartbeat`, `status` and `meter` are the periodic ones (None: no session to meter)."""
        if kind == "next":
            return self.next_call()
        if kind == "heartbeat":
            return ("Heartbeat", {})
        if kind == "status":
            return self._status("Charging" if self.tx_id is not None else "Available")
        if kind == "meter":
            return self._meter() if self.tx_id is not None else None
        raise ValueError(f"unknown call kind {kind!r}")

    def on_result(self, action: str, payload: Any) -> None:
        """Learn the transaction id the server allocated (1.6)."""
        if action == "StartTransaction" and isinstance(payload, dict):
            self.tx_id = payload.get("transactionId")
            if self.tx_id is not None:
                self.started += 1
                self.queue.append(self._status("Charging"))
        elif action == "TransactionEvent" and self.tx_id is not None and self.seq_no == 1:
            self.started += 1
            self.queue.append(self._status("Charging"))

    # --- payloads -----------------------------------------------------------------------

    def _boot(self) -> Call:
        if self.version == V16:
            return ("BootNotification", {
                "chargePointVendor": "BenchCo", "chargePointModel": "LoadGen 1",
                "chargePointSerialNumber": self.station_id[-20:], "firmwareVersion": "1.0.0"})
        return ("BootNotification", {
            "chargingStation": {"vendorName": "BenchCo", "model": "LoadGen 1",
                                "serialNumber": self.station_id[-25:], "firmwareVersion": "1.0.0"},
            "reason": "PowerUp"})

    def _status(self, status: str) -> Call:
        if self.version == V16:
            return ("StatusNotification", {"connectorId": 1, "errorCode": "NoError",
                                           "status": status, "timestamp": now_iso()})
        wire = "Available" if status == "Available" else "Occupied"
        return ("StatusNotification", {"timestamp": now_iso(), "connectorStatus": wire,
                                       "evseId": 1, "connectorId": 1})

    def _authorize(self) -> Call:
        if self.version == V16:
            return ("Authorize", {"idTag": self.tag})
        return ("Authorize", {"idToken": {"idToken": self.tag, "type": "ISO14443"}})

    def _sampled(self) -> list[dict[str, Any]]:
        self.energy_wh += self.rng.uniform(5.0, 60.0)
        power = round(self.rng.uniform(3000.0, 11000.0), 1)
        current = round(power / 690.0, 1)
        if self.version == V16:
            return [
                {"value": f"{self.energy_wh:.1f}", "measurand": "Energy.Active.Import.Register",
                 "unit": "Wh", "context": "Sample.Periodic", "location": "Outlet"},
                {"value": f"{power:.1f}", "measurand": "Power.Active.Import", "unit": "W",
                 "context": "Sample.Periodic", "location": "Outlet"},
                {"value": f"{current:.1f}", "measurand": "Current.Import", "unit": "A",
                 "context": "Sample.Periodic", "location": "Outlet", "phase": "L1"},
            ]
        return [
            {"value": round(self.energy_wh, 1), "measurand": "Energy.Active.Import.Register",
             "unitOfMeasure": {"unit": "Wh"}, "context": "Sample.Periodic"},
            {"value": power, "measurand": "Power.Active.Import",
             "unitOfMeasure": {"unit": "W"}, "context": "Sample.Periodic"},
            {"value": current, "measurand": "Current.Import", "phase": "L1",
             "unitOfMeasure": {"unit": "A"}, "context": "Sample.Periodic"},
        ]

    def _meter(self) -> Call:
        values = [{"timestamp": now_iso(), "sampledValue": self._sampled()}]
        if self.version == V16:
            return ("MeterValues", {"connectorId": 1, "transactionId": self.tx_id,
                                    "meterValue": values})
        return self._tx_event("Updated", "MeterValuePeriodic", values)

    def _start(self) -> Call:
        if self.version == V16:
            return ("StartTransaction", {"connectorId": 1, "idTag": self.tag,
                                         "meterStart": int(self.energy_wh),
                                         "timestamp": now_iso()})
        self.tx_count += 1
        self.tx_id = f"{self.station_id}-{self.tx_count}"
        self.seq_no = 0
        values = [{"timestamp": now_iso(), "sampledValue": self._sampled()[:1]}]
        return self._tx_event("Started", "Authorized", values)

    def _stop(self) -> Call:
        self.stopped += 1
        if self.version == V16:
            call: Call = ("StopTransaction", {"transactionId": self.tx_id, "idTag": self.tag,
                                              "meterStop": int(self.energy_wh),
                                              "timestamp": now_iso(), "reason": "Local"})
        else:
            values = [{"timestamp": now_iso(), "sampledValue": self._sampled()[:1]}]
            call = self._tx_event("Ended", "StopAuthorized", values)
        self.tx_id = None
        return call

    def _tx_event(self, event: str, trigger: str, values: list[dict[str, Any]]) -> Call:
        info: dict[str, Any] = {"transactionId": self.tx_id, "chargingState": "Charging"}
        if event == "Ended":
            info = {"transactionId": self.tx_id, "chargingState": "Idle",
                    "stoppedReason": "Local"}
        payload: dict[str, Any] = {
            "eventType": event, "timestamp": now_iso(), "triggerReason": trigger,
            "seqNo": self.seq_no, "transactionInfo": info, "meterValue": values,
        }
        if event == "Started":
            payload["evse"] = {"id": 1, "connectorId": 1}
            payload["idToken"] = {"idToken": self.tag, "type": "ISO14443"}
        self.seq_no += 1
        return ("TransactionEvent", payload)
