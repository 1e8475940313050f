"""Diagnostics and logs end to end: csms hands the station a one-time upload
URL of its own, the simulated stations of both versions really upload a log there (1.6 as a
multipart POST, 2.0.1 as a raw PUT), csms keeps the job and the file and serves it back; the
upload endpoint refuses every kind of garbage."""

from __future__ import annotations

import asyncio
import hashlib
import os
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
from tests.helpers import BOOT_16, BOOT_201, RawStation, raw_station

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def setup(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    """One server for the module: every test uses its own station ids."""
    async with started_server(tmp_path_factory.mktemp("diagnostics")) as both:
        yield both


def station_steps(job: dict[str, Any]) -> list[str]:
    return [s["status"] for s in job["history"] if s["status"] not in ("Requested", "Accepted")]


async def finished_job(api: httpx.AsyncClient, station_id: str) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        body = (await api.get(f"/stations/{station_id}/diagnostics")).json()
        return body if body["jobs"] and not body["jobs"][0]["open"] else None

    return await wait_for(done)  # type: ignore[no-any-return]


def location_in(payload: dict[str, Any]) -> str:
    return str(payload.get("location") or payload["log"]["remoteLocation"])


async def upload_url(api: httpx.AsyncClient, st: RawStation, station_id: str,
                     body: dict[str, Any] | None = None) -> str:
    """Ask a raw 2.0.1 station for its log; it accepts; the one-time URL csms gave it."""
    frame, r = await command(api, st, f"/stations/{station_id}/commands/get-diagnostics",
                             body or {}, {"status": "Accepted", "filename": "x.log"})
    assert r.status_code == 200, r.text
    return location_in(frame[3])


def stored_files(server: Any) -> list[Path]:
    root = Path(server.settings.upload_dir)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_all_inside(server: Any) -> None:
    """Every stored file lies directly in the upload directory, and nothing escaped it."""
    root = Path(server.settings.upload_dir).resolve()
    assert all(p.resolve().parent == root for p in stored_files(server))
    assert not (root.parent / "escape.txt").exists() and not (root / "etc").exists()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_the_station_uploads_to_csms_and_the_file_is_served(setup: Any,
                                                                  protocol: str) -> None:
    server, api = setup
    sid = f"DIAG-{protocol}"
    await api.post("/stations", json={"id": sid})
    async with make_station(ocpp_url(server), sim_config(sid, protocol)) as st:
        await st.boot()
        r = await api.post(f"/stations/{sid}/commands/get-diagnostics")  # no body at all
        assert r.status_code == 200, r.text
        reply = r.json()
        assert reply["status"] == "Accepted" and reply["file_name"]
        body = await finished_job(api, sid)
        sent = [p for a, p in st.received if a in ("GetDiagnostics", "GetLog")]
    location = location_in(sent[0])
    base = f"http://127.0.0.1:{server.api_port}/api/v1/uploads/"
    assert location.startswith(base) and location.endswith("/")
    job, files = body["jobs"][0], body["files"]
    assert job["id"] == reply["job_id"] and job["status"] == "Uploaded"
    assert job["log_type"] == "diagnostics" and job["file_name"] == reply["file_name"]
    assert station_steps(job) == ["Uploading", "Uploaded"]
    assert len(files) == 1 and job["files"] == [files[0]["id"]]
    meta = files[0]
    assert (meta["job_id"], meta["file_name"]) == (job["id"], reply["file_name"])
    token = location[len(base):-1]
    assert token not in str(body)  # only the hash is kept; the job shows no secret
    dl = await api.get(f"/stations/{sid}/diagnostics/files/{meta['id']}")
    assert dl.status_code == 200
    assert hashlib.sha256(dl.content).hexdigest() == meta["sha256"]
    assert len(dl.content) == meta["size"] and sid.encode() in dl.content
    assert reply["file_name"] in dl.headers["content-disposition"]
    async with api_client(server, token=None) as anonymous:  # one-time: used up now
        again = await anonymous.put(location + "again.log", content=b"more")
        assert "used" in assert_detail(again, 404)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_the_security_log(setup: Any, protocol: str) -> None:
    server, api = setup
    sid = f"SECLOG-{protocol}"
    await api.post("/stations", json={"id": sid})
    async with make_station(ocpp_url(server), sim_config(sid, protocol)) as st:
        await st.boot()
        r = await api.post(f"/stations/{sid}/commands/get-diagnostics",
                           json={"log_type": "security", "start": now()})
        assert r.status_code == 200 and r.json()["status"] == "Accepted", r.text
        body = await finished_job(api, sid)
        sent = [p for a, p in st.received if a == "GetLog"]
    assert sent[0]["logType"] == "SecurityLog" and sent[0]["requestId"] == r.json()["job_id"]
    job = body["jobs"][0]
    assert (job["log_type"], job["status"]) == ("security", "Uploaded")
    assert body["files"][0]["file_name"].startswith("SecurityLog-")


@pytest.mark.parametrize(("protocol", "failed"), [("1.6", "UploadFailed"),
                                                  ("2.0.1", "UploadFailure")])
async def test_an_unreachable_location_fails_the_job(setup: Any, protocol: str,
                                                     failed: str) -> None:
    server, api = setup
    sid = f"DIAGFAIL-{protocol}"
    await api.post("/stations", json={"id": sid})
    async with make_station(ocpp_url(server), sim_config(sid, protocol)) as st:
        await st.boot()
        r = await api.post(f"/stations/{sid}/commands/get-diagnostics",
                           json={"location": "http://127.0.0.1:1/nothing-listens/"})
        assert r.status_code == 200, r.text
        body = await finished_job(api, sid)
    job = body["jobs"][0]
    assert job["location"] == "http://127.0.0.1:1/nothing-listens/"  # as given
    assert job["status"] == failed and station_steps(job) == ["Uploading", failed]
    assert body["files"] == []


async def test_uploads_keep_every_byte_and_names_cannot_escape(setup: Any) -> None:
    """Raw PUT with a name, multipart with a hostile name, raw POST with a
    Content-Disposition: each file comes back identical and lies in the upload directory."""
    server, api = setup
    await api.post("/stations", json={"id": "UP"})
    blobs = [os.urandom(70_000) + b"\r\n--x\r\n\n\r", os.urandom(1), b"\x00" * 10]
    async with raw_station(server, "UP", RAW["2.0.1"]) as st, \
            api_client(server, token=None) as anonymous:
        await st.ok("BootNotification", BOOT_201)
        urls = [await upload_url(api, st, "UP") for _ in range(4)]
        results = [
            await anonymous.put(urls[0] + "dump.bin", content=blobs[0]),
            await anonymous.post(urls[1], files={
                "file": ("../../etc/passwd", blobs[1], "application/gzip")}),
            await anonymous.post(urls[2], content=blobs[2], headers={
                "Content-Disposition": 'attachment; filename="a\\b\\core.txt"'}),
            await anonymous.put(urls[3] + "..%2F..%2Fescape.txt", content=b"up"),
        ]
    assert [x.status_code for x in results] == [201] * 4, [x.text for x in results]
    names = [x.json()["file_name"] for x in results]
    assert names == ["dump.bin", "passwd", "core.txt", "escape.txt"]
    for blob, result in zip([*blobs, b"up"], results, strict=True):
        dl = await api.get(f"/stations/UP/diagnostics/files/{result.json()['file_id']}")
        assert dl.content == blob
    assert_all_inside(server)
    files = (await api.get("/stations/UP/diagnostics")).json()["files"]
    assert len(files) == 4 and all(f["job_id"] for f in files)


async def test_the_upload_endpoint_refuses_garbage(setup: Any) -> None:
    server, api = setup
    await api.post("/stations", json={"id": "GARB"})
    async with raw_station(server, "GARB", RAW["2.0.1"]) as st, \
            api_client(server, token=None) as anonymous:
        await st.ok("BootNotification", BOOT_201)
        url = await upload_url(api, st, "GARB")
        token = url.rstrip("/").rsplit("/", 1)[1]
        before = stored_files(server)
        prefix = f"http://127.0.0.1:{server.api_port}/api/v1/uploads"
        assert_detail(await anonymous.put(f"{prefix}/{'A' * 43}/x.log", content=b"x"), 404)
        assert_detail(await anonymous.put(f"{prefix}/short", content=b"x"), 404)
        assert_detail(await anonymous.put(f"{prefix}/{token[:-1]}/x", content=b"x"), 404)
        assert "empty" in str(assert_detail(await anonymous.put(url + "x.log"), 422))
        assert_detail(await anonymous.post(url, content=b"--nothing here", headers={
            "Content-Type": "multipart/form-data; boundary=zzz"}), 400)
        assert_detail(await anonymous.post(url, content=b"x", headers={
            "Content-Type": "multipart/form-data"}), 400)
        assert_detail(await anonymous.put(url + "bad%00name", content=b"x"), 422)
        assert (await anonymous.get(url + "x.log")).status_code == 405
        assert stored_files(server) == before  # nothing kept from any of it
        ok = await anonymous.put(url, content=b"finally")  # the URL was not used up by them
        assert ok.status_code == 201 and ok.json()["file_name"].startswith("upload-")
        assert_detail(await anonymous.put(url, content=b"twice"), 404)
        file_id = ok.json()["file_id"]
        assert (await anonymous.get(f"/stations/GARB/diagnostics/files/{file_id}",
                                    )).status_code == 401  # downloads need the admin token
    assert_detail(await api.get(f"/stations/GARB/diagnostics/files/{file_id + 999}"), 404)
    assert_detail(await api.get(f"/stations/UP-NOT/diagnostics/files/{file_id}"), 404)
    assert_detail(await api.get("/stations/GARB/diagnostics/files/abc"), 422)
    assert_detail(await api.get("/stations/NOPE/diagnostics"), 404)


async def test_oversize_uploads_are_413_and_nothing_is_kept(tmp_path: Path) -> None:
    async with started_server(tmp_path, upload_max_bytes=1000) as (server, api), \
            api_client(server, token=None) as anonymous:
        await api.post("/stations", json={"id": "BIG"})
        async with raw_station(server, "BIG", RAW["2.0.1"]) as st:
            await st.ok("BootNotification", BOOT_201)
            url = await upload_url(api, st, "BIG")

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: streamed, chunked
            for _ in range(3):
                yield b"y" * 600

        assert_detail(await anonymous.put(url + "big.log", content=b"x" * 5000), 413)
        assert_detail(await anonymous.put(url + "big.log", content=chunks()), 413)
        assert stored_files(server) == []
        assert (await api.get("/stations/BIG/diagnostics")).json()["files"] == []
        ok = await anonymous.put(url + "fits.log", content=b"z" * 1000)  # exactly the limit
        assert ok.status_code == 201, ok.text
        assert len(stored_files(server)) == 1


async def test_expired_upload_urls_are_refused(tmp_path: Path) -> None:
    async with started_server(tmp_path, upload_token_ttl_s=0.05) as (server, api), \
            api_client(server, token=None) as anonymous:
        await api.post("/stations", json={"id": "LATE"})
        async with raw_station(server, "LATE", RAW["2.0.1"]) as st:
            await st.ok("BootNotification", BOOT_201)
            url = await upload_url(api, st, "LATE")
        await asyncio.sleep(0.2)
        assert "expired" in assert_detail(await anonymous.put(url, content=b"x"), 404)
        assert stored_files(server) == []


# --- failure paths: refused or failed requests leave no job and no usable upload URL ---------


@pytest.mark.parametrize(("protocol", "reply", "error", "code"), [
    ("2.0.1", {"status": "Rejected"}, None, 200),
    ("2.0.1", None, ("GenericError", "busy"), 502),
    ("1.6", None, ("InternalError", "busy"), 502),
])
async def test_refusals_and_callerrors_leave_no_job(setup: Any, protocol: str,
                                                    reply: dict[str, Any] | None,
                                                    error: tuple[str, str] | None,
                                                    code: int) -> None:
    server, api = setup
    sid = f"DREF-{protocol}-{code}"
    await api.post("/stations", json={"id": sid})
    async with raw_station(server, sid, RAW[protocol]) as st, \
            api_client(server, token=None) as anonymous:
        await st.ok("BootNotification", BOOT_16 if protocol == "1.6" else BOOT_201)
        frame, r = await command(api, st, f"/stations/{sid}/commands/get-diagnostics", {},
                                 reply, error)
        assert r.status_code == code, r.text
        if code == 200:
            assert r.json()["status"] == "Rejected" and "job_id" not in r.json()
        assert_detail(await anonymous.put(location_in(frame[3]), content=b"x"), 404)
    assert (await api.get(f"/stations/{sid}/diagnostics")).json() == {"jobs": [], "files": []}


async def test_1_6_security_log_without_the_extension_is_422(setup: Any) -> None:
    server, api = setup
    await api.post("/stations", json={"id": "NOSECLOG"})
    async with raw_station(server, "NOSECLOG") as st:
        await st.ok("BootNotification", BOOT_16)
        frame, r = await command(api, st, "/stations/NOSECLOG/commands/get-diagnostics",
                                 {"log_type": "security"}, error=("NotImplemented", "no"))
        assert frame[2] == "GetLog"
        assert "security extension" in assert_detail(r, 422)
        await st.ok("LogStatusNotification", {"status": "Uploaded", "requestId": 5})
        await st.ok("DiagnosticsStatusNotification", {"status": "Idle"})
    assert (await api.get("/stations/NOSECLOG/diagnostics")).json()["jobs"] == []
    kinds = [x["kind"] for x in (await api.get("/stations/NOSECLOG/reports")).json()]
    assert {"LogStatusNotification", "DiagnosticsStatusNotification"} <= set(kinds)


async def test_timeout_and_offline(tmp_path: Path) -> None:
    async with started_server(tmp_path, call_timeout=0.5) as (server, api), \
            api_client(server, token=None) as anonymous:
        await api.post("/stations", json={"id": "MUTE"})
        assert "MUTE" in assert_detail(
            await api.post("/stations/MUTE/commands/get-diagnostics"), 409)  # offline
        async with raw_station(server, "MUTE", RAW["2.0.1"]) as st:
            await st.ok("BootNotification", BOOT_201)
            assert_detail(await api.post("/stations/MUTE/commands/get-diagnostics"), 504)
            frame = await st.recv()
            assert frame[2] == "GetLog"
            assert_detail(await anonymous.put(location_in(frame[3]), content=b"x"), 404)
        assert (await api.get("/stations/MUTE/diagnostics")).json()["jobs"] == []
