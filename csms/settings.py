"""The one settings class: every knob of a `csms serve` process, read from `CSMS_*` variables.

Built once by the CLI and passed down; nothing reads the environment anywhere else.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Names and defaults follow the contract (CONTRACT.md, "Settings")."""

    model_config = SettingsConfigDict(env_prefix="CSMS_", extra="ignore")

    database_url: str = Field(
        "sqlite+aiosqlite:///./var/csms.db", description="SQLAlchemy async URL; PostgreSQL as "
        "`postgresql+asyncpg://user:pw@host/db`")
    ocpp_host: str = Field("0.0.0.0", description="address of the plain `ws://` OCPP endpoint "
                           "(`make run`: 127.0.0.1)")
    ocpp_port: int = Field(9000, ge=0, le=65535, description="port of the `ws://` endpoint")
    ocpp_tls_port: int | None = Field(None, ge=0, le=65535, description="port of the `wss://` "
                                      "endpoint (security profiles 2 and 3); unset: none")
    tls_cert: str | None = Field(None, description="PEM certificate of the `wss://` endpoint")
    tls_key: str | None = Field(None, description="PEM private key of the `wss://` endpoint")
    tls_client_ca: str | None = Field(None, description="PEM CA bundle that station client "
                                      "certificates must chain to (security profile 3)")
    api_host: str = Field("0.0.0.0", description="address of the HTTP API (`make run`: "
                          "127.0.0.1)")
    api_port: int = Field(8000, ge=0, le=65535, description="port of the HTTP API")
    admin_token: str | None = Field(
        None, description="the first administrator's bearer token; unset: generated on first "
        "start, stored hashed and printed once")
    unknown_stations: Literal["reject", "accept"] = Field(
        "reject", description="accept: unknown station ids are registered on first connect")
    unknown_id_tokens: Literal["reject", "accept"] = Field(
        "reject", description="accept: tokens not in the table are Accepted (development only)"
    )
    redis_url: str | None = Field(
        None, description="when set, every `csms serve` sharing this Redis and one PostgreSQL "
        "database is one cluster")
    # Cluster mode (with redis_url): see README, "Running a cluster"
    node_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="this node's name in the cluster "
        "(logs, Redis); unset: host name, process id and a random suffix")
    redis_prefix: str = Field(
        "csms", pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="prefix of every Redis key and "
        "channel; two clusters sharing one Redis need different prefixes")
    node_ttl_s: float = Field(
        15.0, ge=1, le=300, description="a node silent this long is dead: its stations and "
        "planner leases go to the others (heartbeat every third of it)")
    call_timeout: float = Field(30.0, gt=0, description="seconds to wait for a station's reply "
                                "to a command")

    # Beyond the contract: operational knobs with safe defaults.
    heartbeat_interval: int = Field(300, ge=1, description="interval sent in BootNotification")
    ws_ping_interval: float | None = Field(
        60.0, description="websocket ping period in seconds; 0 disables pings"
    )
    ws_ping_timeout: float = Field(30.0, gt=0, description="seconds to wait for a pong")
    boot_rate: float = Field(
        500.0, ge=0, description="BootNotifications accepted per second; beyond it stations "
        "are answered Pending with the interval after which to boot again (0: no limit)")
    ws_compression: bool = Field(
        False, description="offer permessage-deflate to stations (costs CPU per message and "
        "tens of KB per connection; OCPP frames are small)")
    # Hostile or broken clients: each address gets a share of the descriptors, and a
    # connection that sends no complete request head in time is closed.
    api_keep_alive_s: float = Field(
        5.0, gt=0, le=3600, description="an API connection idle this long after a response is "
        "closed")
    api_head_timeout_s: float = Field(
        10.0, gt=0, le=3600, description="an API connection that has not sent a complete "
        "request head this long after connecting (or after its last response) is closed "
        "(slowloris)")
    api_connections_per_address: int = Field(
        100, ge=0, description="open API connections one client address may hold; more are "
        "answered 429 and closed (0: no limit)")
    ocpp_connections_per_address: int = Field(
        1000, ge=0, description="open OCPP connections (both ports together) one client address "
        "may hold; more are closed on accept (0: no limit). Raise it for a fleet behind one NAT")
    connection_limit_exempt: str = Field(
        "127.0.0.1,::1", description="comma-separated client addresses the two limits above "
        "do not apply to (a reverse proxy, a local load generator)")
    message_log_size: int = Field(200, ge=0, description="OCPP frames kept per station")
    log_level: str = Field("INFO", description="log level; every record names its station")

    # Firmware and diagnostics uploads
    public_api_url: str | None = Field(
        None, description="base URL stations use to reach the HTTP API (upload URLs are built "
        "from it), e.g. https://csms.example.org; default http://API_HOST:API_PORT, with "
        "0.0.0.0/:: replaced by this machine's host name")
    upload_dir: str = Field("./var/uploads", description="where uploaded diagnostics are kept")
    upload_max_bytes: int = Field(50 * 1024 * 1024, ge=1, description="largest upload accepted")
    upload_token_ttl_s: float = Field(
        86400.0, gt=0, description="how long a one-time upload URL stays valid")

    # Smart charging
    plan_interval_s: float = Field(900.0, gt=0, description="re-plan every site this often")
    default_dwell_h: float = Field(8.0, gt=0, description="assumed stay without preferences")
    default_energy_kwh: float = Field(20.0, gt=0, description="assumed need without preferences")
    evse_max_kw: float = Field(22.0, gt=0, description="assumed EVSE maximum")
    car_max_kw: float = Field(11.0, gt=0, description="assumed car maximum")
    charging_rate_unit: Literal["A", "W"] = Field(
        "A", description="unit of the charging profiles csms sends while it does not know which "
        "the station takes (W when it takes W, else A)")
    forecast_provider: Literal["none", "open-meteo"] = Field(
        "none", description="fetch each solar source's forecast from this weather provider, "
        "which is sent the site's coordinates and the source's tilt and azimuth; a forecast "
        "given through the API takes precedence until it ends; none: only those")
    forecast_provider_url: str = Field(
        "https://api.open-meteo.com/v1/forecast", pattern=r"^https?://[^\s/]+",
        description="the provider's forecast API (a mirror, a self-hosted Open-Meteo, or "
        "https://customer-api.open-meteo.com/v1/forecast with a key)")
    forecast_provider_key: str | None = Field(
        None, min_length=1, description="the provider's API key (Open-Meteo's free API is for "
        "non-commercial use; a subscription gives a key); never logged")
    forecast_fetch_interval_s: float = Field(
        3600.0, ge=60, description="fetch the provider's forecasts this often (5 minutes "
        "after a failure, and at once when a site's sources change)")
    profile_min_interval_s: float = Field(
        300.0, ge=0, description="at most one profile change per charger this often, but cuts"
    )
    profile_check_delay_s: float = Field(
        30.0, ge=0, description="GetCompositeSchedule this long after a TxProfile; 0: never"
    )
    station_setup: bool = Field(
        True, description="once a station is accepted, set its metering (measurands and "
        "intervals) from its site's policy or the defaults; false: leave stations as they are")
    station_setup_delay_s: float = Field(
        1.0, ge=0, le=600, description="wait this long after an accepted boot before setting "
        "a station's metering, so that its boot completes first")

    # Security and certificates
    ca_cert: str | None = Field(
        None, description="PEM file of the CA that signs station certificates (with CA_KEY); "
        "unset: a built-in CA is generated on first use and kept in the database")
    ca_key: str | None = Field(None, description="PEM file of that CA's private key")
    cert_validity_days: int = Field(365, ge=1, le=3650, description="issued station certificates")
    v2g_root: Literal["none", "builtin"] = Field(
        "none", description="builtin: the CA above also acts as a private V2G root (signs "
        "V2GCertificate CSRs, answers GetCertificateStatus for what it issued)")

    # Tariffs and cost
    cost_update_interval_s: float = Field(
        300.0, ge=0, description="send running transactions their cost (2.0.1 CostUpdated, 1.6 "
        "DataTransfer RunningCost) this often; 0: only in TransactionEvent replies")
    cost_datatransfer_vendor: str | None = Field(
        None, min_length=1, max_length=255, description="OCPP 1.6 stations get running and "
        "final cost in DataTransfer with this vendorId; unset: 1.6 stations get no cost")

    # People and the console
    session_ttl_s: float = Field(
        12 * 3600.0, gt=0, le=30 * 86400, description="how long a sign-in access token "
        "(POST /api/v1/auth/login) stays valid")
    events_kept: int = Field(
        2000, ge=10, le=1_000_000, description="recent events kept for readers of the event "
        "stream that reconnect (Last-Event-ID)")

    @property
    def exempt_addresses(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.connection_limit_exempt.split(",") if a.strip())

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
