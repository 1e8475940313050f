"""OCPP 1.6 configuration keys (GetConfiguration / ChangeConfiguration)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulators.metering import DEFAULT_MEASURANDS, parse_measurands

_FEATURES = "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging," \
            "RemoteTrigger"


@dataclass
class Key:
    """One configuration key: its value as a string, read-only flag and kind."""

    value: str
    readonly: bool = False
    kind: str = "str"  # str | int | bool | measurands
    reboot: bool = False  # a change is answered RebootRequired (it applies after a reboot)


def default_keys(connectors: int, meter_interval_s: float) -> dict[str, Key]:
    """The keys a typical 1.6 charger reports."""
    rw_bool = {"AllowOfflineTxForUnknownId": "false", "AuthorizationCacheEnabled": "true",
               "AuthorizeRemoteTxRequests": "true", "LocalAuthorizeOffline": "true",
               "LocalPreAuthorize": "false", "StopTransactionOnEVSideDisconnect": "true",
               "StopTransactionOnInvalidId": "true", "UnlockConnectorOnEVSideDisconnect": "true",
               "LocalAuthListEnabled": "true"}
    rw_int = {"ClockAlignedDataInterval": "0", "ConnectionTimeOut": "60",
              "HeartbeatInterval": "300", "MeterValueSampleInterval": str(int(meter_interval_s)),
              "ResetRetries": "1", "TransactionMessageAttempts": "3",
              "TransactionMessageRetryInterval": "60", "WebSocketPingInterval": "0"}
    ro = {"GetConfigurationMaxKeys": "50", "NumberOfConnectors": str(connectors),
          "SupportedFeatureProfiles": _FEATURES, "LocalAuthListMaxLength": "100",
          "SendLocalListMaxLength": "100", "ReserveConnectorZeroSupported": "false",
          "ChargeProfileMaxStackLevel": "10",
          "ChargingScheduleAllowedChargingRateUnit": "Current,Power",
          "ChargingScheduleMaxPeriods": "24", "MaxChargingProfilesInstalled": "20"}
    keys = {k: Key(v, kind="bool") for k, v in rw_bool.items()}
    keys |= {k: Key(v, kind="int") for k, v in rw_int.items()}
    keys |= {k: Key(v, readonly=True) for k, v in ro.items()}
    keys["ConnectorPhaseRotation"] = Key("Unknown", reboot=True)  # wiring: needs a reboot
    keys["MeterValuesSampledData"] = Key(",".join(DEFAULT_MEASURANDS), kind="measurands")
    keys["MeterValuesAlignedData"] = Key("Energy.Active.Import.Register", kind="measurands")
    keys["StopTxnSampledData"] = Key("Energy.Active.Import.Register", kind="measurands")
    keys["StopTxnAlignedData"] = Key("", kind="measurands")
    return keys


class ConfigStore:
    """Key/value store with the ChangeConfiguration rules; ``on_change`` applies effects."""

    def __init__(self, keys: dict[str, Key], on_change: Callable[[str, str], None]) -> None:
        self.keys = keys
        self._on_change = on_change

    def get(self, names: list[str] | None) -> dict[str, Any]:
        """GetConfiguration reply payload."""
        wanted = names or list(self.keys)
        known = [
            {"key": k, "readonly": self.keys[k].readonly, "value": self.keys[k].value[:500]}
            for k in wanted if k in self.keys
        ]
        unknown = [k for k in wanted if k not in self.keys]
        out: dict[str, Any] = {"configurationKey": known}
        if unknown:
            out["unknownKey"] = unknown
        return out

    def change(self, name: str, value: str) -> str:
        """ChangeConfiguration status: Accepted, Rejected or NotSupported."""
        key = self.keys.get(name)
        if key is None:
            return "NotSupported"
        if key.readonly or not _valid(key.kind, value):
            return "Rejected"
        key.value = value.strip().lower() if key.kind == "bool" else value.strip()
        self._on_change(name, key.value)
        return "RebootRequired" if key.reboot else "Accepted"

    def flag(self, name: str) -> bool:
        return self.keys[name].value.lower() == "true" if name in self.keys else False

    def number(self, name: str, default: float = 0.0) -> float:
        try:
            return float(self.keys[name].value)
        except (KeyError, ValueError):
            return default

    def measurands(self, name: str = "MeterValuesSampledData") -> list[str]:
        return parse_measurands(self.keys[name].value) or list(DEFAULT_MEASURANDS)


def _valid(kind: str, value: str) -> bool:
    if kind == "bool":
        return value.strip().lower() in ("true", "false")
    if kind == "int":
        return value.strip().isdigit()
    if kind == "measurands":
        return parse_measurands(value) is not None
    return True
