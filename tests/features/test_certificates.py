"""Built-in CA end to end: SignCertificate -> CertificateSigned, renewal, root installation
and the certificate commands, ISO 15118 certificate messages; both versions, failure paths."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp

from simulators import make_station
from tests.api.support import answer_call, assert_detail, command, register
from tests.conftest import ServerFactory, api_client
from tests.features.security_support import (
    PROTOCOLS,
    RAW,
    csr_pem,
    issued,
    make_ca,
    make_leaf,
    pem,
    sim_config,
    tampered_csr,
    wait_delivery,
    wait_for,
    write_pair,
    ws_base,
)
from tests.helpers import BOOT_16, BOOT_201, raw_station

BOOT = {"1.6": BOOT_16, "2.0.1": BOOT_201}


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_csr_is_signed_and_the_station_takes_the_certificate(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "CERT-1")
        async with make_station(ws_base(server), sim_config("CERT-1", protocol)) as st:
            assert await st.boot() == "Accepted"
            payload: dict[str, Any] = {"csr": st.certs.csr()}
            if protocol == "2.0.1":
                payload["certificateType"] = "ChargingStationCertificate"
            assert (await st.call("SignCertificate", payload))["status"] == "Accepted"
            [cert] = await wait_delivery(api, "CERT-1", "accepted")
            ca_pem = (await api.get("/certificate-authority")).json()["pem"]
    leaf = st.certs.certificates["ChargingStationCertificate"][0]
    ca = x509.load_pem_x509_certificate(ca_pem.encode())
    leaf.verify_directly_issued_by(ca)  # signed by csms's CA
    assert cert["common_name"] == "CERT-1" and cert["serial"] == format(leaf.serial_number, "x")
    assert cert["certificate_type"] == "ChargingStationCertificate"
    assert "ChargingStationCertificate" in st.certs.keys  # the key it asked with
    signed = [p for a, p in st.received if a == "CertificateSigned"]
    assert len(signed) == 1
    if protocol == "2.0.1":
        assert signed[0]["certificateType"] == "ChargingStationCertificate"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_renew_triggers_a_csr_and_a_new_certificate(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "CERT-2")
        async with make_station(ws_base(server), sim_config("CERT-2", protocol)) as st:
            await st.boot()
            r = await api.post("/stations/CERT-2/certificates/renew")
            assert r.status_code == 200 and r.json()["status"] == "Accepted", r.text
            await wait_delivery(api, "CERT-2", "accepted")
            r = await api.post("/stations/CERT-2/certificates/renew",
                               json={"type": "V2GCertificate"})
            if protocol == "1.6":
                assert_detail(r, 422)  # 1.6 stations have no V2G certificate
            else:  # the station sends the CSR, csms refuses it: no V2G root configured
                assert r.status_code == 200, r.text
                reports = await wait_reports(api, "CERT-2", 2)
                assert reports[0]["data"]["accepted"] is False
                assert "V2G" in reports[0]["data"]["reason"]
    trigger = "ExtendedTriggerMessage" if protocol == "1.6" else "TriggerMessage"
    assert any(a == trigger for a, _ in st.received)


async def wait_reports(api: Any, station_id: str, count: int) -> list[dict[str, Any]]:
    async def enough() -> bool:
        r = await api.get(f"/stations/{station_id}/reports", params={"kind": "SignCertificate"})
        return len(r.json()) >= count

    await wait_for(enough)
    r = await api.get(f"/stations/{station_id}/reports", params={"kind": "SignCertificate"})
    return r.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_bad_csrs_are_rejected_and_nothing_is_issued(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "CERT-3")
        async with raw_station(server, "CERT-3", RAW[protocol]) as st:
            await st.ok("BootNotification", BOOT[protocol])
            for csr in (csr_pem("SOMEONE-ELSE"), tampered_csr("CERT-3"), "not a csr at all"):
                reply = await st.ok("SignCertificate", {"csr": csr})
                assert reply["status"] == "Rejected"
            # a CSR that breaks the schema gets a CALLERROR, and the session lives on
            bad = await st.call("SignCertificate", {"csr": 42})
            assert bad[0] == 4
            assert (await st.ok("Heartbeat", {}))["currentTime"]
            reports = await wait_reports(api, "CERT-3", 3)
            assert await issued(api, "CERT-3") == []
    reasons = [r["data"]["reason"] for r in reports]
    assert any("common name" in r for r in reasons)
    assert any("signature" in r for r in reasons)
    assert any("not a PEM" in r for r in reasons)


@pytest.mark.parametrize(("answer", "delivery"), [
    ({"reply": {"status": "Rejected"}}, "rejected"),
    ({"error": ("InternalError", "boom")}, "undelivered"),
])
async def test_certificate_the_station_refuses_is_marked(
    server_factory: ServerFactory, answer: dict[str, Any], delivery: str
) -> None:
    server = await server_factory()
    async with api_client(server) as api:
        await register(api, "CERT-4")
        async with raw_station(server, "CERT-4", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            assert (await st.ok("SignCertificate", {"csr": csr_pem("CERT-4")}))["status"] == \
                "Accepted"
            frame = await answer_call(st, **answer)
            assert frame[2] == "CertificateSigned"
            assert frame[3]["certificateType"] == "ChargingStationCertificate"
            assert "BEGIN CERTIFICATE" in frame[3]["certificateChain"]
            await wait_delivery(api, "CERT-4", delivery)


async def test_certificate_for_a_station_that_left_is_undelivered(
    server_factory: ServerFactory
) -> None:
    server = await server_factory(call_timeout=0.5)
    async with api_client(server) as api:
        await register(api, "CERT-5")
        async with raw_station(server, "CERT-5", "ocpp1.6") as st:
            await st.ok("BootNotification", BOOT_16)
            await st.ok("SignCertificate", {"csr": csr_pem("CERT-5")})
            await st.recv()  # the CertificateSigned CALL, never answered: timeout
        await wait_delivery(api, "CERT-5", "undelivered")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_install_list_and_delete_certificates_on_the_simulator(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory()
    maker = make_ca("Maker Root")
    async with api_client(server) as api:
        await register(api, "CERT-6")
        async with make_station(ws_base(server), sim_config("CERT-6", protocol)) as st:
            await st.boot()
            base = "/stations/CERT-6/commands"
            r = await api.post("/stations/CERT-6/certificates/install-csms-root")
            assert r.json()["status"] == "Accepted", r.text
            r = await api.post(f"{base}/install-certificate", json={
                "type": "ManufacturerRootCertificate", "pem": pem(maker[0])})
            assert r.json()["status"] == "Accepted", r.text
            listed = (await api.post(f"{base}/get-installed-certificate-ids", json={})).json()
            assert listed["status"] == "Accepted"
            assert sorted(c["type"] for c in listed["certificates"]) == [
                "CSMSRootCertificate", "ManufacturerRootCertificate"]
            maker_hash = next(c["hash_data"] for c in listed["certificates"]
                              if c["type"] == "ManufacturerRootCertificate")
            assert maker_hash["serial_number"] == format(maker[0].serial_number, "x")
            r = await api.post(f"{base}/delete-certificate", json={"hash_data": maker_hash})
            assert r.json()["status"] == "Accepted", r.text
            r = await api.post(f"{base}/delete-certificate", json={"hash_data": maker_hash})
            assert r.json()["status"] == "NotFound", r.text
            only = (await api.post(f"{base}/get-installed-certificate-ids",
                                   json={"types": ["ManufacturerRootCertificate"]})).json()
            assert only == {"status": "NotFound", "certificates": []}
            r = await api.post(f"{base}/install-certificate", json={
                "type": "V2GRootCertificate", "pem": pem(maker[0])})
            if protocol == "1.6":
                assert "1.6" in assert_detail(r, 422)
            else:
                assert r.json()["status"] == "Accepted"
    wire = "CentralSystemRootCertificate" if protocol == "1.6" else "CSMSRootCertificate"
    assert any(a == "InstallCertificate" and p["certificateType"] == wire
               for a, p in st.received)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_certificate_commands_failure_paths(
    server_factory: ServerFactory, protocol: str
) -> None:
    server = await server_factory(call_timeout=0.5)
    root = pem(make_ca()[0])
    body = {"type": "CSMSRootCertificate", "pem": root}
    path = "/stations/CERT-7/commands/install-certificate"
    async with api_client(server) as api:
        await register(api, "CERT-7")
        assert_detail(await api.post(path, json=body), 409)  # offline
        assert_detail(await api.post("/stations/NOPE/commands/install-certificate", json=body),
                      404)
        for bad in ({"type": "CSMSRootCertificate", "pem": "garbage"},
                    {"type": "Bogus", "pem": root}, {**body, "extra": 1},
                    {"hash_data": {"hash_algorithm": "MD5"}}):
            assert_detail(await api.post(path, json=bad), 422)
        assert_detail(await api.post("/stations/CERT-7/commands/delete-certificate", json={
            "hash_data": {"hash_algorithm": "SHA256", "issuer_name_hash": "zz",
                          "issuer_key_hash": "00", "serial_number": "01"}}), 422)
        async with raw_station(server, "CERT-7", RAW[protocol]) as st:
            await st.ok("BootNotification", BOOT[protocol])
            frame, r = await command(api, st, path, body, reply={"status": "Rejected"})
            assert r.json()["status"] == "Rejected"
            assert frame[3]["certificate"] == root
            _, r = await command(api, st, path, body, error=("NotSupported", "no"))
            assert assert_detail(r, 502)["error_code"] == "NotSupported"
            frame, r = await command(api, st, "/stations/CERT-7/certificates/renew",
                                     reply={"status": "Rejected"})
            assert r.json()["status"] == "Rejected"
            assert frame[2] == ("ExtendedTriggerMessage" if protocol == "1.6"
                                else "TriggerMessage")
            assert_detail(await api.post(path, json=body), 504)  # never answered


async def test_configured_ca_signs_and_a_broken_one_stops_the_start(
    server_factory: ServerFactory, tmp_path: Any
) -> None:
    ca = make_ca("Co-op CA")
    cert_path, key_path = write_pair(tmp_path, "ca", *ca)
    server = await server_factory(ca_cert=cert_path, ca_key=key_path)
    async with api_client(server) as api:
        info = (await api.get("/certificate-authority")).json()
        assert info["source"] == "configured" and "Co-op CA" in info["subject"]
        await register(api, "CERT-8")
        async with raw_station(server, "CERT-8", "ocpp1.6") as st:
            await st.ok("BootNotification", BOOT_16)
            await st.ok("SignCertificate", {"csr": csr_pem("CERT-8")})
            frame = await answer_call(st, {"status": "Accepted"})
    chain = x509.load_pem_x509_certificates(frame[3]["certificateChain"].encode())
    chain[0].verify_directly_issued_by(ca[0])
    leaf_only = make_leaf(ca, "not-a-ca")
    bad_cert, bad_key = write_pair(tmp_path, "leaf", *leaf_only)
    with pytest.raises(ValueError, match="CA"):
        await server_factory(ca_cert=bad_cert, ca_key=bad_key,
                             database_url=f"sqlite+aiosqlite:///{tmp_path}/other.db")


def ocsp_request_data(cert: x509.Certificate, issuer: x509.Certificate) -> dict[str, str]:
    req = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
    return {"hashAlgorithm": "SHA256", "issuerNameHash": req.issuer_name_hash.hex(),
            "issuerKeyHash": req.issuer_key_hash.hex(),
            "serialNumber": format(cert.serial_number, "X"), "responderURL": "http://csms"}


async def test_iso15118_messages_with_the_ca_as_private_v2g_root(
    server_factory: ServerFactory
) -> None:
    server = await server_factory(v2g_root="builtin")
    async with api_client(server) as api:
        await register(api, "V2G-1")
        async with raw_station(server, "V2G-1", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            reply = await st.ok("SignCertificate", {"csr": csr_pem("V2G-1"),
                                                    "certificateType": "V2GCertificate"})
            assert reply["status"] == "Accepted"
            frame = await answer_call(st, {"status": "Accepted"})
            assert frame[3]["certificateType"] == "V2GCertificate"
            leaf = x509.load_pem_x509_certificates(frame[3]["certificateChain"].encode())[0]
            ca = x509.load_pem_x509_certificate(
                (await api.get("/certificate-authority")).json()["pem"].encode())
            data = ocsp_request_data(leaf, ca)
            good = await st.ok("GetCertificateStatus", {"ocspRequestData": data})
            assert good["status"] == "Accepted"
            resp = ocsp.load_der_ocsp_response(base64.b64decode(good["ocspResult"]))
            assert resp.certificate_status == ocsp.OCSPCertStatus.GOOD
            assert resp.serial_number == leaf.serial_number
            serial = format(leaf.serial_number, "x")
            await wait_delivery(api, "V2G-1", "accepted")
            r = await api.post(f"/stations/V2G-1/certificates/{serial}/revoke")
            assert r.status_code == 200 and r.json()["revoked_at"], r.text
            revoked = await st.ok("GetCertificateStatus", {"ocspRequestData": data})
            resp = ocsp.load_der_ocsp_response(base64.b64decode(revoked["ocspResult"]))
            assert resp.certificate_status == ocsp.OCSPCertStatus.REVOKED
            foreign = make_ca("foreign")
            other = await st.ok("GetCertificateStatus", {"ocspRequestData": ocsp_request_data(
                make_leaf(foreign, "x")[0], foreign[0])})
            assert other["status"] == "Failed"
            assert other["statusInfo"]["reasonCode"] == "UnknownIssuer"
            assert_detail(await api.post("/stations/V2G-1/certificates/abc/revoke"), 404)
            assert_detail(await api.post("/stations/V2G-1/certificates/not-hex/revoke"), 422)


async def test_iso15118_refusals_without_a_v2g_root(server: Any) -> None:
    async with api_client(server) as api:
        await register(api, "V2G-2")
        async with raw_station(server, "V2G-2", "ocpp2.0.1") as st:
            await st.ok("BootNotification", BOOT_201)
            ca = make_ca()
            status = await st.ok("GetCertificateStatus", {
                "ocspRequestData": ocsp_request_data(make_leaf(ca, "V2G-2")[0], ca[0])})
            assert status["status"] == "Failed"
            assert status["statusInfo"]["reasonCode"] == "NoV2GRoot"
            ev = await st.ok("Get15118EVCertificate", {
                "iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef", "action": "Install",
                "exiRequest": "AAAA"})
            assert ev["status"] == "Failed"
            assert ev["statusInfo"]["reasonCode"] == "NoContractPKI"
            v2g = await st.ok("SignCertificate", {"csr": csr_pem("V2G-2"),
                                                  "certificateType": "V2GCertificate"})
            assert v2g["status"] == "Rejected"
            r = await api.get("/stations/V2G-2/reports",
                              params={"kind": "Get15118EVCertificate"})
            assert r.json()[0]["data"]["reason"] == "NoContractPKI"
