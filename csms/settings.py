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

    database_url: str = "sqlite+aiosqlite:///./var/csms.db"
    ocpp_host: str = "0.0.0.0"
    ocpp_port: int = Field(9000, ge=0, le=65535)
    ocpp_tls_port: int | None = Field(None, ge=0, le=65535)
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_client_ca: str | None = None
    api_host: str = "0.0.0.0"
    api_port: int = Field(8000, ge=0, le=65535)
    admin_token: str | None = None
    unknown_stations: Literal["reject", "accept"] = "reject"
    unknown_id_tokens: Literal["reject", "accept"] = Field(
        "reject", description="accept: tokens not in the table are Accepted (development only)"
    )
    redis_url: str | None = None
    call_timeout: float = Field(30.0, gt=0)

    # Beyond the contract: operational knobs with safe defaults.
    heartbeat_interval: int = Field(300, ge=1, description="interval sent in BootNotification")
    ws_ping_interval: float | None = Field(
        60.0, description="websocket ping period in seconds; 0 disables pings"
    )
    ws_ping_timeout: float = Field(30.0, gt=0)
    message_log_size: int = Field(200, ge=0, description="OCPP frames kept per station")
    log_level: str = "INFO"

    # Smart charging (issue 3)
    plan_interval_s: float = Field(900.0, gt=0, description="re-plan every site this often")
    default_dwell_h: float = Field(8.0, gt=0, description="assumed stay without preferences")
    default_energy_kwh: float = Field(20.0, gt=0, description="assumed need without preferences")
    evse_max_kw: float = Field(22.0, gt=0, description="assumed EVSE maximum")
    car_max_kw: float = Field(11.0, gt=0, description="assumed car maximum")
    charging_rate_unit: Literal["A", "W"] = "A"
    profile_min_interval_s: float = Field(
        300.0, ge=0, description="at most one profile change per charger this often, but cuts"
    )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
