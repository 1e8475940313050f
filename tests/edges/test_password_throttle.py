"""Wrong station passwords are throttled per station id and per address, without argon2 work
once throttled; the station with the right password keeps getting in."""

from __future__ import annotations

import base64

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from csms.app import CsmsServer
from csms.services.stations import stations as station_module
from csms.services.stations.admission_throttle import AdmissionThrottle
from tests.api.support import register
from tests.conftest import ServerFactory, api_client
from tests.helpers import RawStation

RIGHT, WRONG = "right-password-0123", "wrong-password-0123"
STATION, ATTACKER, ELSEWHERE = "127.0.0.1", "127.0.0.2", "127.0.0.3"


async def handshake(server: CsmsServer, station_id: str, password: str, source: str) -> int:
    cred = base64.b64encode(f"{station_id}:{password}".encode()).decode()
    try:
        async with connect(f"ws://127.0.0.1:{server.ocpp_port}/ocpp/{station_id}",
                           subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                           additional_headers={"Authorization": f"Basic {cred}"},
                           local_addr=(source, 0)) as ws:
            await RawStation(ws).ok("Heartbeat", {})
            return 101
    except InvalidStatus as e:
        if e.response.status_code == 429:
            assert int(e.response.headers["Retry-After"]) >= 1
        return e.response.status_code


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = station_module.verify_password

    async def counting(hashed: str, password: str) -> bool:
        calls.append(password)
        return await real(hashed, password)

    monkeypatch.setattr(station_module, "verify_password", counting)
    return calls


async def test_wrong_passwords_are_throttled_and_the_station_still_gets_in(
    server_factory: ServerFactory, argon2_calls: list[str]
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "TH-1", password=RIGHT)
        await register(api, "TH-2", password=RIGHT)
        assert await handshake(server, "TH-1", RIGHT, STATION) == 101
        argon2_calls.clear()
        codes = [await handshake(server, "TH-1", WRONG, ATTACKER) for _ in range(30)]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
        assert len(argon2_calls) == 5  # throttled attempts cost no argon2 work
        # the station itself, from its own address, is not locked out
        assert await handshake(server, "TH-1", RIGHT, STATION) == 101
        # the attacker's address is held back for every station id
        assert await handshake(server, "TH-2", WRONG, ATTACKER) == 429
        # and the id for any other address (a distributed guess)
        assert await handshake(server, "TH-1", WRONG, ELSEWHERE) == 429
        assert len(argon2_calls) == 5
        events = (await api.get("/stations/TH-1/security-events")).json()
    # the first refused handshake (the rest of the minute only counted) and the back-off
    assert [e["type"] for e in events] == ["InvalidBasicAuthCredentials"] * 2, events
    assert "further attempts are refused" in events[0]["tech_info"]
    assert "wrong Basic-auth password" in events[1]["tech_info"]
    assert all(ATTACKER in e["tech_info"] for e in events)


async def test_a_new_password_from_the_station_s_address_is_verified_despite_an_attack(
    server_factory: ServerFactory, argon2_calls: list[str]
) -> None:
    """No memo of the new password yet: the station's address is exempt from the id count."""
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "TH-3", password=RIGHT)
        assert await handshake(server, "TH-3", RIGHT, STATION) == 101
        new = "another-password-42"
        assert (await api.patch("/stations/TH-3", json={"password": new})).status_code == 200
        for _ in range(8):
            await handshake(server, "TH-3", WRONG, ATTACKER)
        argon2_calls.clear()
        assert await handshake(server, "TH-3", new, STATION) == 101
        assert argon2_calls == [new]


def test_back_off_doubles_and_is_forgotten() -> None:
    clock = [0.0]
    t = AdmissionThrottle(free=2, base_s=1.0, max_s=8.0, forget_s=100.0, now=lambda: clock[0])
    assert t.wait_s("S", "A") == 0
    assert not t.failed("S", "A")
    assert t.failed("S", "A")  # the back-off starts: tell once
    assert t.wait_s("S", "A") == 1.0
    waits = []
    for _ in range(5):
        clock[0] += t.wait_s("S", "A")
        t.failed("S", "A")
        waits.append(t.wait_s("S", "A"))
    assert waits == [2.0, 4.0, 8.0, 8.0, 8.0]
    assert t.wait_s("S", "B") == 8.0  # the id, from another address
    assert t.wait_s("T", "B") == 0
    clock[0] += 200
    t.failed("S", "A")
    assert t.wait_s("S", "A") == 0  # forgotten after a quiet while: 1 failure now


def test_memory_stays_bounded_under_a_flood_of_ids_and_addresses() -> None:
    t = AdmissionThrottle(free=1, max_keys=10)
    for i in range(1000):
        t.failed(f"S{i}", f"A{i}")
        assert len(t._failures) <= 12
    assert t.wait_s("S999", "A999") > 0  # the newest are still held back


