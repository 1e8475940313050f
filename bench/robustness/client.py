"""A minimal OCPP-J station for the robustness scenarios: connect, call, wait for the reply."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}
_ids = itertools.count()


class CallError(Exception):
    def __init__(self, code: str, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Clock:
    """Strictly increasing meter timestamps per station (milliseconds apart at least)."""

    def __init__(self) -> None:
        self._last = datetime.now(UTC).replace(microsecond=0)

    def next(self) -> datetime:
        self._last += timedelta(milliseconds=1 + next(_ids) % 7)
        return self._last


class Station:
    def __init__(self, url: str, station_id: str, version: str) -> None:
        self.url, self.station_id, self.version = url, station_id, version
        self.ws: ClientConnection | None = None

    async def connect(self) -> None:
        self.ws = await connect(f"{self.url}/{self.station_id}",
                                subprotocols=[SUBPROTOCOL[self.version]],  # type: ignore[list-item]
                                open_timeout=30, ping_interval=None, compression=None,
                                max_size=2**20)

    async def send_call(self, action: str, payload: dict[str, Any],
                        uid: str | None = None) -> str:
        assert self.ws is not None
        uid = uid or uuid.uuid4().hex[:16]
        # the stdlib encoder: poison payloads hold integers beyond 64 bits, which orjson refuses
        await self.ws.send(json.dumps([2, uid, action, payload], separators=(",", ":")))
        return uid

    async def reply(self, uid: str) -> dict[str, Any]:
        assert self.ws is not None
        while True:
            msg = orjson.loads(await self.ws.recv())
            if msg[0] == 2:  # a call from the server (trigger, profile): accept it
                await self.ws.send(orjson.dumps([3, msg[1], {"status": "Accepted"}]).decode())
                continue
            if msg[1] != uid:
                continue
            if msg[0] == 4:
                raise CallError(str(msg[2]), str(msg[3]))
            return msg[2]  # type: ignore[no-any-return]

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        return await self.reply(await self.send_call(action, payload))

    async def boot(self) -> None:
        if self.version == "1.6":
            payload: dict[str, Any] = {"chargePointVendor": "bench", "chargePointModel": "r1"}
        else:
            payload = {"reason": "PowerUp",
                       "chargingStation": {"vendorName": "bench", "model": "r1"}}
        reply = await self.call("BootNotification", payload)
        if reply.get("status") != "Accepted":
            raise RuntimeError(f"{self.station_id}: boot {reply}")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def register_sample(at: datetime, wh: float, version: str) -> dict[str, Any]:
    if version == "1.6":
        sampled: dict[str, Any] = {"value": f"{wh:.1f}", "unit": "Wh"}
    else:
        sampled = {"value": wh, "unitOfMeasure": {"unit": "Wh"}}
    return {"timestamp": stamp(at), "sampledValue": [
        {**sampled, "measurand": "Energy.Active.Import.Register"}]}
