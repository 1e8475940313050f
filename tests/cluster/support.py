"""Two real `csms serve` processes sharing one PostgreSQL database and one Redis.

Each test gets a fresh database and its own Redis key prefix; both are skipped only when
PostgreSQL or Redis cannot be found (tests/conftest.py: service_url).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from redis.asyncio import Redis

from tests.conftest import service_url
from tests.helpers import ADMIN_TOKEN

T = TypeVar("T")
START_S = 90.0  # a cold process imports the planner's stack and migrates: slow on a busy CI


def redis_url() -> str:
    return service_url("redis")


async def until(probe: Callable[[], Awaitable[T | None]], what: str,
                deadline_s: float = 30.0) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    while True:
        value = await probe()
        if value:
            return value
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


class Node:
    """One `csms serve` process; its output goes to a log file the test can read."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.env = env
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None
        self.api_port = 0
        self.ocpp_port = 0

    async def start(self) -> Node:
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "csms", "serve", env=self.env,
                stdout=out, stderr=asyncio.subprocess.STDOUT)
        banner = await until(self._banner, f"node {self.name} to start", START_S)
        self.ocpp_port, self.api_port = banner
        return self

    async def _banner(self) -> tuple[int, int] | None:
        assert self.proc is not None
        if self.proc.returncode is not None:
            raise AssertionError(f"node {self.name} exited:\n{self.output()}")
        text = self.output()
        ocpp = re.search(r"OCPP endpoint : ws://[^:]+:(\d+)/", text)
        api = re.search(r"HTTP API      : http://[^:]+:(\d+)/", text)
        return (int(ocpp.group(1)), int(api.group(1))) if ocpp and api else None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def api(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.api_port}/api/v1",
                                 headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30)

    def ws(self, station_id: str) -> str:
        return f"ws://127.0.0.1:{self.ocpp_port}/ocpp/{station_id}"

    def kill(self) -> None:
        """kill -9: no shutdown of any kind."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()

    async def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
        await self.proc.wait()


class Cluster:
    """Starts nodes on one database and one Redis prefix; stops them all at the end."""

    def __init__(self, database_url: str, redis: str, workdir: Path) -> None:
        self.prefix = f"csms-test-{uuid.uuid4().hex[:10]}"
        self.redis = redis
        self.workdir = workdir
        self.base = {**os.environ, "PYTHONUNBUFFERED": "1",
                     "CSMS_DATABASE_URL": database_url, "CSMS_REDIS_URL": redis,
                     "CSMS_REDIS_PREFIX": self.prefix, "CSMS_OCPP_HOST": "127.0.0.1",
                     "CSMS_OCPP_PORT": "0", "CSMS_API_HOST": "127.0.0.1", "CSMS_API_PORT": "0",
                     "CSMS_ADMIN_TOKEN": ADMIN_TOKEN, "CSMS_CALL_TIMEOUT": "3",
                     "CSMS_WS_PING_INTERVAL": "0", "CSMS_NODE_TTL_S": "3",
                     "CSMS_UPLOAD_DIR": str(workdir / "uploads"),
                     # raw test stations expect only the calls their test makes; the tests
                     # of metering set on boot turn it on
                     "CSMS_STATION_SETUP": "false"}
        self.nodes: list[Node] = []

    async def node(self, name: str, **settings: str) -> Node:
        env = {**self.base, "CSMS_NODE_ID": name, **settings}
        node = Node(name, env, self.workdir / f"{name}.log")
        self.nodes.append(node)
        return await node.start()

    async def lease_holder(self, site_id: str) -> str | None:
        client = Redis.from_url(self.redis)
        try:
            raw = await client.get(f"{self.prefix}:lease:{site_id}")
        finally:
            await client.aclose()
        return raw.decode() if raw else None

    async def close(self) -> None:
        for node in self.nodes:
            await node.stop()
        client = Redis.from_url(self.redis)
        try:
            keys = [k async for k in client.scan_iter(match=f"{self.prefix}:*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


async def sse(api: httpx.AsyncClient, found: list[tuple[str, dict[str, Any]]],
              ready: asyncio.Event) -> None:
    """Collect the node's event stream into `found` until cancelled."""
    async with api.stream("GET", "/events", timeout=httpx.Timeout(30, read=None)) as response:
        assert response.status_code == 200
        kind = ""
        async for line in response.aiter_lines():
            if line.startswith(": connected"):
                ready.set()
            elif line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                found.append((kind, json.loads(line[6:])))
