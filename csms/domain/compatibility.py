"""Compatibility profiles: how csms meets a charger that breaks the specification.

Strict is the default: a schema violation gets the CALLERROR the specification names. A profile,
set per station or per vendor and model, relaxes that for chargers known to send what the
schemas forbid (long serial numbers, extra fields, numbers as strings, naive timestamps, idTags
with a serial suffix), restart their meter for every transaction, or cannot answer pings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csms.domain.errors import InvalidInput

MAX_PATTERN = 200


class MeterRegister(StrEnum):
    LIFETIME = "lifetime"  # the register counts over the meter's life (the specification's)
    PER_SESSION = "per_session"  # it restarts at 0 for every transaction


class ProfileSource(StrEnum):
    STATION = "station"
    MODEL = "model"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class CompatibilityProfile:
    lenient_validation: bool = False
    timezone: str | None = None  # IANA zone assumed for timestamps without an offset
    id_token_pattern: str | None = None
    meter_register: MeterRegister = MeterRegister.LIFETIME
    ping: bool = True

    def __post_init__(self) -> None:
        if self.timezone is not None:
            zone_of(self.timezone)
        if self.id_token_pattern is not None:
            token_pattern(self.id_token_pattern)

    @property
    def rewrites(self) -> bool:
        """Whether incoming payloads go through the compatibility layer at all."""
        return self.lenient_validation or bool(self.timezone) or bool(self.id_token_pattern)

    @property
    def zone(self) -> ZoneInfo | None:
        return zone_of(self.timezone) if self.timezone else None


STRICT = CompatibilityProfile()


@dataclass(frozen=True, slots=True)
class ModelKey:
    """A BootNotification's vendor and model, compared without case or outer spaces."""

    vendor: str
    model: str

    @classmethod
    def of(cls, vendor: str, model: str) -> ModelKey:
        return cls(vendor.strip().casefold(), model.strip().casefold())


@dataclass(frozen=True, slots=True)
class ModelProfile:
    vendor: str  # as entered
    model: str
    profile: CompatibilityProfile

    @property
    def key(self) -> ModelKey:
        return ModelKey.of(self.vendor, self.model)


class Outcome(StrEnum):
    REPAIRED = "repaired"  # lenient: processed anyway
    REFUSED = "refused"  # answered with a CALLERROR


@dataclass(frozen=True, slots=True)
class Violation:
    """What a station sent that its version's schema forbids, and what csms did about it."""

    station_id: str
    at: datetime
    action: str
    path: str
    message: str
    outcome: Outcome


@lru_cache(maxsize=64)
def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise InvalidInput(f"unknown time zone {name!r} (an IANA name like Europe/Berlin)") from e


@lru_cache(maxsize=256)
def token_pattern(pattern: str) -> re.Pattern[str]:
    if len(pattern) > MAX_PATTERN:
        raise InvalidInput(f"id_token_pattern is longer than {MAX_PATTERN} characters")
    try:
        return re.compile(pattern)
    except re.error as e:
        raise InvalidInput(f"id_token_pattern is not a regular expression: {e}") from e


def normalised_token(pattern: str | None, token: str) -> str:
    """The real token in what the station sent: the pattern's first group where it has one,
    else the token without the part the pattern matches (a suffix pattern, say `-\\d{4}$`).
    A token the pattern does not match, or that would become empty, stays as it is."""
    if not pattern:
        return token
    compiled = token_pattern(pattern)
    found = compiled.search(token)
    if found is None:
        return token
    real = (found.group(1) or "") if compiled.groups else token[:found.start()] + token[
        found.end():]
    return real or token
