"""CPU per frame of the OCPP-J core on the server's hot path: read a received CALL and build
its CALLRESULT, as `csms.ocpp.session.Session.on_frame` does, without the socket, the schema
check or the handler. A figure, not a test: `python -m bench.frames`.

Process time, best of several rounds, so that other processes on the machine count less.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import ocppj

REPLY = {"currentTime": "2026-06-21T12:00:00Z"}
FRAMES = {
    "Heartbeat": json.dumps([2, "9f1c7a3e-0b7d-4d5e-8f6a-1c2b3d4e5f61", "Heartbeat", {}]),
    "TransactionEvent": json.dumps([2, "9f1c7a3e-0b7d-4d5e-8f6a-1c2b3d4e5f60", "TransactionEvent", {
        "eventType": "Updated", "timestamp": "2026-06-21T12:00:00.000Z",
        "triggerReason": "MeterValuePeriodic", "seqNo": 12,
        "transactionInfo": {"transactionId": "TX-0001", "chargingState": "Charging"},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [{"timestamp": "2026-06-21T12:00:00.000Z", "sampledValue": [
            {"value": 12345.6, "measurand": "Energy.Active.Import.Register",
             "unitOfMeasure": {"unit": "Wh"}},
            {"value": 7400.0, "measurand": "Power.Active.Import"}]}]}]),
}


def exchange(rpc: ocppj.Connection) -> Callable[[str], object]:
    def one(raw: str) -> object:
        event = rpc.receive(raw)
        if type(event) is ocppj.Call:
            return rpc.send_result(event.unique_id, REPLY)
        return None
    return one


def per_frame_us(fn: Callable[[str], object], raw: str, n: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(n):
            fn(raw)
        best = min(best, time.process_time() - start)
    return best / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200_000, help="frames per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    one = exchange(ocppj.Connection(ocppj.V201))
    print("| frame | µs of CPU per frame (read + reply) |\n|---|---|")
    for name, raw in FRAMES.items():
        print(f"| {name} | {per_frame_us(one, raw, args.n, args.rounds):.3f} |")


if __name__ == "__main__":
    main()
