"""Firmware updates end to end: the simulated stations of both versions
really download the image from a test HTTP server and report their way through the statuses,
which csms keeps as a job with its history; and every way the request can go wrong."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from simulators import make_station
from tests.api.support import assert_detail, command
from tests.conftest import api_client
from tests.features.jobs_support import (
    PROTOCOLS,
    RAW,
    now,
    ocpp_url,
    sim_config,
    started_server,
    wait_for,
)
from tests.file_server import file_server
from tests.helpers import BOOT_16, BOOT_201, raw_station

IMAGE = bytes(range(256)) * 64
STATION_STEPS = ["Downloading", "Downloaded", "Installing", "Installed"]


def steps(job: dict[str, Any]) -> list[str]:
    return [s["status"] for s in job["history"]]


def station_steps(job: dict[str, Any]) -> list[str]:
    """What the station reported, without csms's own Requested/Accepted."""
    return [s for s in steps(job) if s not in ("Requested", "Accepted")]


async def closed_job(api: httpx.AsyncClient, station_id: str) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        jobs = (await api.get(f"/stations/{station_id}/firmware")).json()
        return jobs[0] if jobs and not jobs[0]["open"] else None

    return await wait_for(done)  # type: ignore[no-any-return]


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def setup(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    """One server for the module: every test uses its own station ids."""
    async with started_server(tmp_path_factory.mktemp("firmware")) as both:
        yield both


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_the_station_downloads_and_installs_and_the_job_keeps_the_history(
        setup: Any, protocol: str) -> None:
    server, api = setup
    sid = f"FW-{protocol}"
    assert (await api.post("/stations", json={"id": sid})).status_code == 201
    with file_server() as http:
        http.files["/fw-2.0.bin"] = IMAGE
        async with make_station(ocpp_url(server), sim_config(sid, protocol)) as st:
            assert await st.boot() == "Accepted"
            r = await api.post(f"/stations/{sid}/firmware", json={
                "location": http.url("/fw-2.0.bin"), "retrieve_at": now(), "retries": 2})
            assert r.status_code == 201, r.text
            created = r.json()
            assert created["location"] == http.url("/fw-2.0.bin")
            assert created["signed"] is False and created["retries"] == 2
            job = await closed_job(api, sid)
        assert http.gets == ["/fw-2.0.bin"]  # really fetched, once
    assert job["id"] == created["id"] and job["status"] == "Installed"
    assert steps(job)[0] == "Requested" and "Accepted" in steps(job)
    assert station_steps(job) == STATION_STEPS
    stamps = [s["at"] for s in job["history"]]
    assert stamps == sorted(stamps) and job["closed_at"] == stamps[-1]
    if protocol == "2.0.1":
        assert job["request_id"] == job["id"]  # echoed in every notification
    reports = (await api.get(f"/stations/{sid}/reports",
                             params={"kind": "FirmwareStatusNotification"})).json()
    assert sorted(r["data"]["status"] for r in reports) == sorted(STATION_STEPS)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_an_unreachable_image_ends_in_download_failed(setup: Any, protocol: str) -> None:
    server, api = setup
    sid = f"FWBAD-{protocol}"
    await api.post("/stations", json={"id": sid})
    with file_server() as http:
        async with make_station(ocpp_url(server), sim_config(sid, protocol)) as st:
            await st.boot()
            r = await api.post(f"/stations/{sid}/commands/update-firmware", json={
                "location": http.url("/no-such.bin"), "retrieve_at": now()})
            assert r.status_code == 200 and r.json()["status"] == "Accepted", r.text
            job = await closed_job(api, sid)
    assert job["id"] == r.json()["job_id"]
    assert job["status"] == "DownloadFailed"
    assert station_steps(job) == ["Downloading", "DownloadFailed"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_signed_firmware_is_verified(setup: Any, protocol: str) -> None:
    """2.0.1 UpdateFirmware with a signature; 1.6 SignedUpdateFirmware (security extension),
    whose SignedFirmwareStatusNotifications carry the requestId."""
    server, api = setup
    sid = f"FWSIG-{protocol}"
    await api.post("/stations", json={"id": sid})
    with file_server() as http:
        http.files["/signed.bin"] = IMAGE
        async with make_station(ocpp_url(server), sim_config(sid, protocol)) as st:
            await st.boot()
            r = await api.post(f"/stations/{sid}/firmware", json={
                "location": http.url("/signed.bin"), "retrieve_at": now(),
                "signature": "c2lnbmF0dXJl", "signing_certificate": "-----BEGIN CERT-----"})
            assert r.status_code == 201, r.text
            job = await closed_job(api, sid)
            action = ("SignedUpdateFirmware" if protocol == "1.6" else "UpdateFirmware")
            assert [a for a, _ in st.received if "Firmware" in a] == [action]
    assert job["signed"] is True and job["status"] == "Installed"
    assert station_steps(job) == ["Downloading", "Downloaded", "SignatureVerified",
                                  "Installing", "Installed"]
    kind = "SignedFirmwareStatusNotification" if protocol == "1.6" else \
        "FirmwareStatusNotification"
    reports = (await api.get(f"/stations/{sid}/reports", params={"kind": kind})).json()
    assert {r["data"]["requestId"] for r in reports} == {job["id"]}


async def test_a_new_update_supersedes_the_open_one(setup: Any) -> None:
    server, api = setup
    await api.post("/stations", json={"id": "RAW16"})
    body = {"location": "ftp://files.example.com/fw.bin", "retrieve_at": "2030-01-01T00:00:00Z"}
    async with raw_station(server, "RAW16") as st:
        await st.ok("BootNotification", BOOT_16)
        _, first = await command(api, st, "/stations/RAW16/firmware", body, {})
        await st.ok("FirmwareStatusNotification", {"status": "Downloading"})
        _, second = await command(api, st, "/stations/RAW16/firmware", body, {})
        # 1.6 notifications carry no requestId: they go to the newest open job
        await st.ok("FirmwareStatusNotification", {"status": "Downloaded"})
        await st.ok("FirmwareStatusNotification", {"status": "Idle"})  # a trigger's answer
    jobs = (await api.get("/stations/RAW16/firmware")).json()
    assert [j["id"] for j in jobs] == [second.json()["id"], first.json()["id"]]  # newest first
    assert (jobs[1]["status"], jobs[1]["open"]) == ("Superseded", False)
    assert steps(jobs[1]) == ["Requested", "Accepted", "Downloading", "Superseded"]
    assert (jobs[0]["status"], jobs[0]["open"]) == ("Downloaded", True)


async def test_2_0_1_notifications_match_by_request_id(setup: Any) -> None:
    server, api = setup
    await api.post("/stations", json={"id": "RAW201"})
    body = {"location": "https://files.example.com/fw.bin", "retrieve_at": now()}
    async with raw_station(server, "RAW201", RAW["2.0.1"]) as st:
        await st.ok("BootNotification", BOOT_201)
        frame, r = await command(api, st, "/stations/RAW201/commands/update-firmware", body,
                                 {"status": "Accepted"})
        request_id = frame[3]["requestId"]
        assert r.json()["job_id"] == request_id
        await st.ok("FirmwareStatusNotification", {"status": "Downloading",
                                                   "requestId": request_id + 1000})
        await st.ok("FirmwareStatusNotification", {"status": "InstallVerificationFailed",
                                                   "requestId": request_id})
    job = (await api.get("/stations/RAW201/firmware")).json()[0]
    assert station_steps(job) == ["InstallVerificationFailed"]  # the stranger's is not ours
    assert not job["open"]
    reports = (await api.get("/stations/RAW201/reports")).json()
    assert len([x for x in reports if x["kind"] == "FirmwareStatusNotification"]) == 2


# --- failure paths: nothing is recorded for a request the station did not take ---------------


@pytest.mark.parametrize(("protocol", "reply", "code"), [
    ("2.0.1", {"status": "Rejected"}, 409),
    ("2.0.1", {"status": "InvalidCertificate"}, 409),
    ("1.6", None, 502),
    ("2.0.1", None, 502),
])
async def test_refusals_and_callerrors_leave_no_job(setup: Any, protocol: str,
                                                    reply: dict[str, Any] | None,
                                                    code: int) -> None:
    server, api = setup
    sid = f"REF-{protocol}-{code}"
    await api.post("/stations", json={"id": sid})
    body = {"location": "https://files.example.com/fw.bin", "retrieve_at": now()}
    async with raw_station(server, sid, RAW[protocol]) as st:
        await st.ok("BootNotification", BOOT_16 if protocol == "1.6" else BOOT_201)
        error = ("InternalError", "disk full") if reply is None else None
        _, r = await command(api, st, f"/stations/{sid}/firmware", body, reply, error)
        assert_detail(r, code)
    assert (await api.get(f"/stations/{sid}/firmware")).json() == []


async def test_1_6_signed_firmware_without_the_extension_is_422(setup: Any) -> None:
    server, api = setup
    await api.post("/stations", json={"id": "NOSEC"})
    async with raw_station(server, "NOSEC") as st:
        await st.ok("BootNotification", BOOT_16)
        frame, r = await command(api, st, "/stations/NOSEC/commands/update-firmware", {
            "location": "https://x.example.com/fw", "retrieve_at": now(), "signature": "c2ln",
            "signing_certificate": "PEM"}, error=("NotImplemented", "no such action"))
        assert frame[2] == "SignedUpdateFirmware"
        assert "security extension" in assert_detail(r, 422)
        r = await api.post("/stations/NOSEC/commands/update-firmware", json={
            "location": "https://x.example.com/fw", "retrieve_at": now(), "signature": "c2ln"})
        assert "signing_certificate" in assert_detail(r, 422)  # 1.6 needs both, nothing sent
    assert (await api.get("/stations/NOSEC/firmware")).json() == []


async def test_a_station_that_never_answers_is_504_and_no_job(tmp_path: Path) -> None:
    async with started_server(tmp_path, call_timeout=0.5) as (server, api):
        await api.post("/stations", json={"id": "MUTE"})
        async with raw_station(server, "MUTE", RAW["2.0.1"]) as st:
            await st.ok("BootNotification", BOOT_201)
            r = await api.post("/stations/MUTE/firmware", json={
                "location": "https://x.example.com/fw", "retrieve_at": now()})
            assert_detail(r, 504)
            assert (await st.recv())[2] == "UpdateFirmware"  # it was sent, never answered
        assert (await api.get("/stations/MUTE/firmware")).json() == []


async def test_offline_unknown_and_garbage(setup: Any) -> None:
    server, api = setup
    await api.post("/stations", json={"id": "OFF"})
    body = {"location": "https://x.example.com/fw", "retrieve_at": now()}
    assert "OFF" in assert_detail(await api.post("/stations/OFF/firmware", json=body), 409)
    assert_detail(await api.post("/stations/NOPE/firmware", json=body), 404)
    assert_detail(await api.get("/stations/NOPE/firmware"), 404)
    for bad in ({}, {"location": "no url", "retrieve_at": now()},
                {"location": "https://x/", "retrieve_at": "soon"},
                {**body, "retries": -1}, {**body, "extra": 1}):
        assert_detail(await api.post("/stations/OFF/firmware", json=bad), 422)
    async with api_client(server, token=None) as anonymous:
        assert (await anonymous.get("/stations/OFF/firmware")).status_code == 401
    async with raw_station(server, "OFF") as st:  # unsolicited statuses: reports, no job
        await st.ok("BootNotification", BOOT_16)
        await st.ok("FirmwareStatusNotification", {"status": "Installed"})
        bad = await st.call("FirmwareStatusNotification", {"status": "Exploded"})
        assert bad[0] == 4  # a CALLERROR, the session lives on
        await st.ok("Heartbeat", {})
    assert (await api.get("/stations/OFF/firmware")).json() == []
    reports = (await api.get("/stations/OFF/reports")).json()
    assert [x["data"]["status"] for x in reports if x["kind"] == "FirmwareStatusNotification"] \
        == ["Installed"]


async def test_publish_firmware_asks_a_2_0_1_local_controller_with_a_request_id(
        setup: Any) -> None:
    """2.0.1 L03: location, checksum and the retry settings go out with a request id the
    station's PublishFirmwareStatusNotifications then carry; the answer names that id. 1.6
    has no such message (422, nothing sent); a body without the checksum is 422."""
    server, api = setup
    await api.post("/stations", json={"id": "PUB201"})
    await api.post("/stations", json={"id": "PUB16"})
    checksum = "9e107d9d372bb6826bd81d3542a419d6"
    body = {"location": "https://fw.example/cs-2.1.bin", "checksum": checksum, "retries": 2,
            "retry_interval_s": 30, "request_id": 77}
    async with raw_station(server, "PUB201", RAW["2.0.1"]) as st:
        await st.ok("BootNotification", BOOT_201)
        path = "/stations/PUB201/commands/publish-firmware"
        frame, r = await command(api, st, path, body, {"status": "Accepted"})
        assert frame[2:] == ["PublishFirmware", {
            "location": "https://fw.example/cs-2.1.bin", "checksum": checksum,
            "requestId": 77, "retries": 2, "retryInterval": 30}]
        assert (r.status_code, r.json()) == (200, {"status": "Accepted", "request_id": 77})
        frame, r = await command(api, st, path, {"location": body["location"],
                                                 "checksum": checksum}, {"status": "Rejected"})
        assert isinstance(frame[3]["requestId"], int)  # csms picks one when none is given
        assert r.json() == {"status": "Rejected", "request_id": frame[3]["requestId"]}
        assert_detail(await api.post(path, json={"location": body["location"]}), 422)
        assert await st.ok("PublishFirmwareStatusNotification",
                           {"status": "Published", "requestId": 77,
                            "location": ["https://lc.example/fw.bin"]}) == {}
    async with raw_station(server, "PUB16", RAW["1.6"]) as st:
        await st.ok("BootNotification", BOOT_16)
        r = await api.post("/stations/PUB16/commands/publish-firmware", json=body)
        assert "PublishFirmware" in assert_detail(r, 422)
        assert await st.ok("Heartbeat", {})  # nothing was sent to it meanwhile


async def test_unpublish_firmware_asks_a_2_0_1_local_controller(setup: Any) -> None:
    """2.0.1 L03: the station's answer comes back as is; 1.6 has no such message (422, and
    nothing is sent); a body without the checksum is 422 too."""
    server, api = setup
    await api.post("/stations", json={"id": "UNPUB201"})
    await api.post("/stations", json={"id": "UNPUB16"})
    checksum = "9e107d9d372bb6826bd81d3542a419d6"
    async with raw_station(server, "UNPUB201", RAW["2.0.1"]) as st:
        await st.ok("BootNotification", BOOT_201)
        path = "/stations/UNPUB201/commands/unpublish-firmware"
        frame, r = await command(api, st, path, {"checksum": checksum},
                                 {"status": "Unpublished"})
        assert frame[2:] == ["UnpublishFirmware", {"checksum": checksum}]
        assert (r.status_code, r.json()) == (200, {"status": "Unpublished"})
        assert_detail(await api.post(path, json={}), 422)
    async with raw_station(server, "UNPUB16", RAW["1.6"]) as st:
        await st.ok("BootNotification", BOOT_16)
        r = await api.post("/stations/UNPUB16/commands/unpublish-firmware",
                           json={"checksum": checksum})
        assert "UnpublishFirmware" in assert_detail(r, 422)
        assert await st.ok("Heartbeat", {})  # nothing was sent to it meanwhile
