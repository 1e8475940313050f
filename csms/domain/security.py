"""Security records: certificates the CA issued, station security events;
and the security profile each station must connect with (OCPP 2.0.1 Part 2 A00, the 1.6
security whitepaper): what a handshake has to show for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum


class SecurityProfile(IntEnum):
    """How a station must prove who it is at the handshake (the OCPP numbers)."""

    NONE = 0  # no credentials at all: anyone who knows the id is the station (insecure)
    BASIC = 1  # HTTP Basic password, over ws:// or wss://
    TLS_BASIC = 2  # HTTP Basic password over TLS only
    TLS_CERTIFICATE = 3  # TLS with a client certificate naming the station

    @property
    def insecure(self) -> bool:
        return self == SecurityProfile.NONE

    @property
    def needs_password(self) -> bool:
        return self in (SecurityProfile.BASIC, SecurityProfile.TLS_BASIC)


def default_profile(has_password: bool) -> SecurityProfile:
    """A station registered without naming a profile: what its password said before profiles
    were recorded (a password was required when set, nothing otherwise)."""
    return SecurityProfile.BASIC if has_password else SecurityProfile.NONE


@dataclass(frozen=True, slots=True)
class Handshake:
    """What a connecting station showed, before its password is checked."""

    tls: bool  # came in on the wss:// port
    certified: bool  # a verified client certificate naming the station and not revoked
    password_given: bool


class RefusalType(StrEnum):
    """The security event a refused handshake is stored as (the first is csms's own name,
    the others OCPP's security event names)."""

    DOWNGRADE = "SecurityProfileDowngrade"  # profile 2/3 over ws://
    CERTIFICATE = "InvalidChargingStationCertificate"  # missing, another station's, revoked
    PASSWORD = "InvalidBasicAuthCredentials"  # missing or wrong password


class Verdict(StrEnum):
    ADMIT = "admit"  # nothing more to check
    CHECK_PASSWORD = "check_password"  # admitted only with the right password
    REFUSE_TRANSPORT = "refuse_transport"  # wss:// required
    REFUSE_CERTIFICATE = "refuse_certificate"  # client certificate required
    REFUSE_NO_PASSWORD = "refuse_no_password"


def judge(profile: SecurityProfile, hs: Handshake, has_password: bool) -> Verdict:
    """A handshake against the station's profile: at least as strong, or refused.
    A certificate naming the station is the strongest proof and admits at every profile; a
    password offered to a station that has one is checked even at profile 0 (a wrong
    credential is never waved through)."""
    if profile >= SecurityProfile.TLS_BASIC and not hs.tls:
        return Verdict.REFUSE_TRANSPORT
    if hs.certified:
        return Verdict.ADMIT
    if profile == SecurityProfile.TLS_CERTIFICATE:
        return Verdict.REFUSE_CERTIFICATE
    if profile.needs_password and not hs.password_given:
        return Verdict.REFUSE_NO_PASSWORD
    if hs.password_given and has_password:
        return Verdict.CHECK_PASSWORD
    if profile.needs_password:  # a password offered, but csms holds none to check it with
        return Verdict.REFUSE_NO_PASSWORD
    return Verdict.ADMIT


class Delivery(StrEnum):
    """What became of an issued certificate on its way to the station (CertificateSigned)."""

    PENDING = "pending"  # signed and stored; CertificateSigned not answered yet
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # the station answered Rejected
    UNDELIVERED = "undelivered"  # offline, timeout or CALLERROR


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    serial: str  # lower-case hex, no leading zeros (as `format(n, "x")`)
    station_id: str
    certificate_type: str  # ChargingStationCertificate | V2GCertificate
    common_name: str
    not_before: datetime
    not_after: datetime
    pem: str
    issued_at: datetime
    delivery: Delivery = Delivery.PENDING
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    """A SecurityEventNotification (same fields in 1.6 security extension and 2.0.1)."""

    type: str
    timestamp: datetime
    tech_info: str | None = None


def next_profile(current: SecurityProfile, has_password: bool, password_changed: bool,
                 given: SecurityProfile | None) -> SecurityProfile:
    """The profile after a change of the station. Named: that one. Not named, a password set
    on a station of profile 0 makes it 1 and a password removed from one of profile 1 or 2
    makes it 0 (what setting or removing the password meant before profiles were recorded);
    profile 3 stays. ValueError when the result needs a password the station lacks."""
    profile = current if given is None else given
    if given is None and password_changed:
        if has_password and current == SecurityProfile.NONE:
            profile = SecurityProfile.BASIC
        elif not has_password and current.needs_password:
            profile = SecurityProfile.NONE
    if profile.needs_password and not has_password:
        raise ValueError(f"security profile {profile:d} needs a password: set one too")
    return profile
