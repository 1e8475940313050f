"""Fixtures for the simulator tests: a fake CSMS and station factories."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from simulators import SimStation, StationConfig, make_station
from tests.simulators.fake_csms import FakeCsms

StationFactory = Callable[..., Awaitable[SimStation]]


@pytest.fixture
async def csms() -> AsyncIterator[FakeCsms]:
    server = await FakeCsms().start()
    yield server
    await server.stop()


@pytest.fixture(params=["1.6", "2.0.1"])
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def station_factory(csms: FakeCsms) -> AsyncIterator[StationFactory]:
    """Create connected stations (fast clock, short intervals); all closed at teardown."""
    made: list[SimStation] = []

    async def make(protocol: str = "2.0.1", *, connect: bool = True, **kw: Any) -> SimStation:
        kw.setdefault("station_id", f"CP{len(made) + 1}")
        kw.setdefault("speed", 100.0)
        kw.setdefault("meter_interval_s", 3600.0)
        kw.setdefault("call_timeout_s", 5.0)
        st = make_station(csms.url, StationConfig(protocol=protocol, **kw))  # type: ignore[arg-type]
        made.append(st)
        if connect:
            await st.connect()
        return st

    yield make
    for st in made:
        await st.close()
