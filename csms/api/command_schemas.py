"""Bodies of the station commands (`POST /stations/{id}/commands/{name}`): remote start and
stop, resets, configuration, profiles, reservations, local lists, firmware and logs. Each is
paired with its typed command in csms.api.command_bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from csms.api.schemas import TOKEN_PATTERN, Strict, UtcDateTime


class RemoteStart(Strict):
    id_token: str = Field(min_length=1, max_length=36, pattern=TOKEN_PATTERN)
    evse_id: int | None = Field(None, ge=0)
    connector_id: int | None = Field(None, ge=0)
    charging_profile: dict[str, Any] | None = Field(
        None, description="the station's own ChargingProfile JSON, passed through")


class RemoteStop(Strict):
    transaction_id: str = Field(min_length=1, max_length=64)


class Reset(Strict):
    type: Literal["soft", "hard"] = "soft"


class Unlock(Strict):
    evse_id: int | None = Field(None, ge=0)
    connector_id: int = Field(ge=0)


class ChangeAvailability(Strict):
    evse_id: int | None = Field(None, ge=0)
    connector_id: int | None = Field(None, ge=0)
    operative: bool


class TriggerMessage(Strict):
    message: str = Field(min_length=1, max_length=64,
                         examples=["StatusNotification", "BootNotification", "MeterValues"])
    evse_id: int | None = Field(None, ge=0)


class GetConfiguration(Strict):
    keys: list[str] | None = Field(None, description="1.6 keys, or 2.0.1 Component.Variable")


class SetConfiguration(Strict):
    key: str = Field(min_length=1, max_length=100)
    value: str = Field(max_length=1000)


class Empty(Strict):
    pass


class DataTransfer(Strict):
    vendor_id: str = Field(min_length=1, max_length=255)
    message_id: str | None = Field(None, max_length=50)
    data: Any = None


class ProfilePeriod(Strict):
    start_s: int = Field(ge=0, description="seconds from the schedule's start; 0 first, ascending")
    limit: float = Field(ge=0, le=1e9, description="in the profile's unit; cut to one decimal")
    phases: int | None = Field(None, ge=1, le=3)


class Profile(Strict):
    """A version-agnostic charging profile; csms builds the station's own ChargingProfile."""

    purpose: Literal["tx", "tx_default", "station_max"]
    stack_level: int = Field(ge=0, le=999)
    unit: Literal["A", "W"]
    periods: list[ProfilePeriod] = Field(min_length=1, max_length=1024)
    transaction_id: str | None = Field(
        None, min_length=1, max_length=36,
        description="required for tx (an integer for OCPP 1.6), refused for the others")
    valid_from: UtcDateTime | None = Field(
        None, description="also the start of the schedule; default now - 60 s "
                          "(recurring: 00:00 UTC today/this Monday; tx_default: Relative)")
    valid_to: UtcDateTime | None = None
    recurrency: Literal["daily", "weekly"] | None = None
    duration_s: int | None = Field(None, gt=0)
    min_rate: float | None = Field(None, ge=0, le=1e9)


class SetChargingProfile(Strict):
    evse_id: int | None = Field(
        None, ge=0, description="required for tx; station_max and tx_default default to 0")
    profile: Profile


class ClearChargingProfile(Strict):
    id: int | None = Field(None, ge=0, description="as returned by set-charging-profile")
    evse_id: int | None = Field(None, ge=0)
    purpose: Literal["tx", "tx_default", "station_max"] | None = None
    stack_level: int | None = Field(None, ge=0)


class GetCompositeSchedule(Strict):
    evse_id: int = Field(ge=0)
    duration_s: int = Field(gt=0, le=31 * 86_400)
    unit: Literal["A", "W"] | None = None


IdToken = Field(min_length=1, max_length=36, pattern=TOKEN_PATTERN)
IdTokenType = Literal["Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local",
                      "MacAddress", "NoAuthorization"]


class ReserveNow(Strict):
    evse_id: int | None = Field(None, ge=0, description="none or 0: any EVSE")
    connector_id: int | None = Field(None, ge=0, description="OCPP 1.6 only")
    id_token: str = IdToken
    id_token_type: IdTokenType | None = Field(None, description="OCPP 2.0.1; default ISO14443")
    expires_at: UtcDateTime
    reservation_id: int | None = Field(None, ge=0, le=2**31 - 1,
                                       description="default: a fresh one, returned")
    group_id: str | None = Field(None, min_length=1, max_length=36, pattern=TOKEN_PATTERN)


class CancelReservation(Strict):
    reservation_id: int = Field(ge=0, le=2**31 - 1)


class LocalListEntry(Strict):
    id_token: str = IdToken
    id_token_type: IdTokenType | None = Field(None, description="OCPP 2.0.1; default ISO14443")
    status: Literal["Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"] | None = Field(
        None, description="default Accepted; in a differential update an entry with neither "
                          "status, expires_at nor group_id removes the token")
    expires_at: UtcDateTime | None = None
    group_id: str | None = Field(None, min_length=1, max_length=36, pattern=TOKEN_PATTERN)


class SendLocalList(Strict):
    version: int = Field(ge=0, le=2**31 - 1)
    update: Literal["full", "differential"]
    entries: list[LocalListEntry] = Field(default_factory=list, max_length=10_000)


Location = Field(min_length=1, max_length=512, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$",
                 examples=["ftp://user:pass@files.example.com/fw.bin"])


class UpdateFirmware(Strict):
    location: str = Location
    retrieve_at: UtcDateTime
    retries: int | None = Field(None, ge=0)
    retry_interval_s: int | None = Field(None, ge=0)
    signature: str | None = Field(None, min_length=1, max_length=800,
                                  description="signed firmware: OCPP 2.0.1, or 1.6 with the "
                                  "security extension (SignedUpdateFirmware, needs both fields)")
    signing_certificate: str | None = Field(None, min_length=1, max_length=5500,
                                            description="PEM certificate of the signature")


class GetDiagnostics(Strict):
    location: str | None = Field(
        None, min_length=1, max_length=512, pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$",
        description="where the station uploads; default: a one-time upload URL of csms "
                    "itself (files listed at /stations/{id}/diagnostics)")
    log_type: Literal["diagnostics", "security"] | None = Field(
        None, description="default diagnostics; security: the security log (2.0.1 GetLog, "
                          "1.6 security extension GetLog)")
    start: UtcDateTime | None = Field(None, description="oldest entries to include")
    stop: UtcDateTime | None = Field(None, description="latest entries to include")
    retries: int | None = Field(None, ge=0)
    retry_interval_s: int | None = Field(None, ge=0)




class GetTransactionStatus(Strict):
    transaction_id: str | None = Field(None, min_length=1, max_length=36)


class CustomerInformation(Strict):
    request_id: int | None = Field(None, ge=0)
    report: bool = True
    clear: bool = False
    customer_identifier: str | None = Field(None, min_length=1, max_length=64)
    id_token: str | None = Field(None, min_length=1, max_length=36)
    id_token_type: str = Field("ISO14443", max_length=20)
