"""Each incoming CALL meets its schema, as the station's compatibility profile says.

Strict (the default): the schema decides; a violation is answered with the CALLERROR the
specification names, and logged on the station. A lenient station's payload is repaired first
(csms.ocpp.leniency) and each repair logged; what still breaks the schema after that is refused
as from a strict station. Timestamps without an offset are taken in the profile's zone, and
idTokens normalised by its pattern, before any handler sees them. The profile comes from memory
(csms.services.devices.compatibility); a station without one costs a dictionary look-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from csms.clock import Clock
from csms.domain.compatibility import (
    STRICT,
    CompatibilityProfile,
    Outcome,
    Violation,
    normalised_token,
)
from csms.ocpp import schemas
from csms.ocpp.errors import OcppCallError
from csms.ocpp.leniency import Finding, repair
from csms.services.devices.compatibility import CompatibilityBook

CALL = 2

TokenPath = tuple[str, ...]


@dataclass(slots=True)  # not frozen: built for every message, and frozen costs its __init__
class Incoming:
    station_id: str
    version: str
    action: str
    payload: dict[str, Any]
    identity: tuple[str, str] | None  # a BootNotification's vendor and model
    token_paths: Sequence[TokenPath]  # where the action carries an idToken


async def admit(book: CompatibilityBook, clock: Clock, msg: Incoming) -> dict[str, Any]:
    """The payload the handler gets, or OcppCallError with the specification's code."""
    if msg.identity is not None:
        profile = book.booting(msg.station_id, *msg.identity)
    else:
        profile = book.profile(msg.station_id)
    payload, findings = msg.payload, list[Finding]()
    schema = None
    if profile is not STRICT and profile.rewrites and not schemas.is_valid(
            msg.version, CALL, msg.action, payload):
        schema = schemas.document(msg.version, CALL, msg.action)
    if schema is not None:
        payload, findings = repair(schema, payload, lenient=profile.lenient_validation,
                                   zone=profile.zone)
    try:
        schemas.validate(msg.version, CALL, msg.action, payload)
    except OcppCallError as e:
        if e.code != "NotImplemented":
            where, _, what = e.description.partition(": ")
            path = f"/{where}" if what and where != "payload" else "payload"
            refused = [*findings, Finding(path, what or where)]
            await book.record(_violations(clock, msg, refused, Outcome.REFUSED))
        raise
    if findings:
        await book.record(_violations(clock, msg, findings, Outcome.REPAIRED))
    return _normalise_tokens(profile, payload, msg.token_paths)


def _violations(clock: Clock, msg: Incoming, findings: list[Finding], outcome: Outcome
                ) -> list[Violation]:
    at = clock.now()
    return [Violation(msg.station_id, at, msg.action, f.path, f.message, outcome)
            for f in findings]


def _normalise_tokens(profile: CompatibilityProfile, payload: dict[str, Any],
                      paths: Sequence[TokenPath]) -> dict[str, Any]:
    """The idTokens at `paths` as the profile's pattern reads them (copies what it changes)."""
    pattern = profile.id_token_pattern
    if not pattern or not paths:
        return payload
    for path in paths:
        payload = _rewritten(payload, path, pattern)
    return payload


def _rewritten(node: dict[str, Any], path: TokenPath, pattern: str) -> dict[str, Any]:
    key, rest = path[0], path[1:]
    value = node.get(key)
    if rest:
        if not isinstance(value, dict):
            return node
        return {**node, key: _rewritten(value, rest, pattern)}
    if not isinstance(value, str):
        return node
    real = normalised_token(pattern, value)
    return node if real == value else {**node, key: real}
