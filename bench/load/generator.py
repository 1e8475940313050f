"""The load worker: a process running many stations as asyncio tasks over raw websockets.

Run by `bench.load` as `python -m bench.load.generator CONFIG_JSON`. It connects its stations
(bounded handshake concurrency), sends BootNotification and StatusNotification, prints
`READY {...}`, waits for `GO` on stdin, runs the closed loop for the duration (one CALL in
flight per station, the next sent as soon as the reply arrives), and prints `RESULT {...}`:
latencies of the calls sent inside the window, CALLERRORs by code, timeouts, and counts.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Subprotocol

from bench.load.frames import SUBPROTOCOL, StationModel

CALL, RESULT, ERROR = 2, 3, 4


@dataclass
class WorkerConfig:
    url: str  # ws://127.0.0.1:PORT/ocpp (the station id is appended)
    version: str
    first: int  # station index range [first, first + count)
    count: int
    duration: float
    tags: list[str]
    call_timeout: float = 10.0
    connect_concurrency: int = 50
    setup_timeout: float = 120.0
    compression: bool = True
    prefix: str = "BENCH"
    seed: int = 1


@dataclass
class WorkerResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)  # CALLERROR code -> count
    timeouts: int = 0
    closed: int = 0  # stations whose socket dropped during the window
    connect_failures: int = 0
    setup_errors: int = 0
    server_calls: int = 0  # CALLs the server sent us (answered with a generic reply)
    by_action: dict[str, int] = field(default_factory=dict)
    tx_started: int = 0
    tx_stopped: int = 0
    window_s: float = 0.0
    cpu_s: float = 0.0  # this process's CPU time during the window
    stations: int = 0


class Station:
    """One socket and its model; `call` sends a CALL and waits for its reply."""

    def __init__(self, cfg: WorkerConfig, index: int, result: WorkerResult) -> None:
        self.cfg = cfg
        self.id = f"{cfg.prefix}{index:05d}"
        self.model = StationModel(self.id, cfg.version, cfg.tags, seed=cfg.seed * 100_003 + index)
        self.result = result
        self.ws: ClientConnection | None = None
        self._uid = 0

    async def connect(self) -> None:
        self.ws = await connect(
            f"{self.cfg.url.rstrip('/')}/{self.id}",
            subprotocols=[Subprotocol(SUBPROTOCOL[self.cfg.version])],
            compression="deflate" if self.cfg.compression else None,
            open_timeout=self.cfg.setup_timeout, ping_interval=None, max_size=2**22,
        )

    async def call(self, action: str, payload: dict[str, Any]) -> tuple[int, Any]:
        """(RESULT, payload) or (ERROR, code); raises TimeoutError or ConnectionClosed."""
        assert self.ws is not None
        self._uid += 1
        uid = f"{self._uid}"
        await self.ws.send(json.dumps([CALL, uid, action, payload], separators=(",", ":")))
        async with asyncio.timeout(self.cfg.call_timeout):
            while True:
                msg = json.loads(await self.ws.recv())
                if msg[0] == CALL:
                    self.result.server_calls += 1
                    await self.ws.send(json.dumps([RESULT, msg[1], {"status": "Accepted"}]))
                    continue
                if msg[1] != uid:
                    continue  # a late reply to a call that timed out
                if msg[0] == RESULT:
                    return RESULT, msg[2]
                return ERROR, str(msg[2])

    async def setup(self) -> None:
        await self.connect()
        for action, payload in self.model.opening():
            kind, body = await self.call(action, payload)
            if kind == ERROR:
                raise RuntimeError(f"{action}: CALLERROR {body}")

    async def loop(self, end: float) -> None:
        r = self.result
        while time.perf_counter() < end:
            action, payload = self.model.next_call()
            t0 = time.perf_counter()
            try:
                kind, body = await self.call(action, payload)
            except TimeoutError:
                r.timeouts += 1
                continue
            except ConnectionClosed:
                r.closed += 1
                return
            r.latencies_ms.append(round((time.perf_counter() - t0) * 1000.0, 3))
            r.by_action[action] = r.by_action.get(action, 0) + 1
            if kind == ERROR:
                r.errors[body] = r.errors.get(body, 0) + 1
            else:
                self.model.on_result(action, body)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def _setup_all(cfg: WorkerConfig, result: WorkerResult) -> list[Station]:
    gate = asyncio.Semaphore(cfg.connect_concurrency)
    stations = [Station(cfg, i, result) for i in range(cfg.first, cfg.first + cfg.count)]

    async def one(st: Station) -> Station | None:
        async with gate:
            try:
                await st.setup()
                return st
            except (OSError, InvalidHandshake, TimeoutError) as e:
                result.connect_failures += 1
                print(f"connect {st.id}: {e!r}", file=sys.stderr)
            except (ConnectionClosed, RuntimeError) as e:
                result.setup_errors += 1
                print(f"setup {st.id}: {e!r}", file=sys.stderr)
            await st.close()
            return None

    async with asyncio.timeout(cfg.setup_timeout):
        ready = await asyncio.gather(*(one(st) for st in stations))
    return [st for st in ready if st is not None]


async def run(cfg: WorkerConfig) -> WorkerResult:
    result = WorkerResult()
    stations = await _setup_all(cfg, result)
    result.stations = len(stations)
    print("READY " + json.dumps({"stations": len(stations)}), flush=True)
    line = await asyncio.wait_for(asyncio.to_thread(sys.stdin.readline), cfg.setup_timeout * 2)
    if line.strip() != "GO":
        raise SystemExit("expected GO on stdin")
    start, cpu0 = time.perf_counter(), time.process_time()
    end = start + cfg.duration
    async with asyncio.timeout(cfg.duration + cfg.call_timeout + 30):
        await asyncio.gather(*(st.loop(end) for st in stations))
    result.window_s = time.perf_counter() - start
    result.cpu_s = time.process_time() - cpu0
    result.tx_started = sum(st.model.started for st in stations)
    result.tx_stopped = sum(st.model.stopped for st in stations)
    async with asyncio.timeout(30):
        await asyncio.gather(*(st.close() for st in stations), return_exceptions=True)
    return result


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cfg = WorkerConfig(**json.loads(args[0]))
    result = asyncio.run(run(cfg))
    print("RESULT " + json.dumps(asdict(result)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
