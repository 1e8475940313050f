"""Secrets taken out of OCPP frames before they are kept in the message log.

The log is for support staff (`GET /stations/{id}/messages`, role viewer): it must not hand
out a station's Basic-auth password, a one-time upload URL that still works, or a private key.
What is secret, by the shape of the payload (both versions, requests and replies alike):
- 1.6 configuration entries `{"key": NAME, "value": V}` (ChangeConfiguration,
  GetConfiguration's configurationKey) whose NAME looks like a password or key
  (AuthorizationKey is the Basic-auth password, hex-encoded);
- 2.0.1 variables `{"variable": {"name": NAME}, "attributeValue": V}` (SetVariables,
  GetVariables) and `variableAttribute: [{"value": V}]` (NotifyReport) with such a NAME
  (SecurityCtrlr.BasicAuthPassword);
- fields named like a password or PIN anywhere (SetNetworkProfile's apnPassword, vpn
  password and key, simPin);
- URLs in `location` / `remoteLocation` (GetDiagnostics, GetLog, UpdateFirmware): the
  password of their user info, their query (signed URLs) and csms' one-time upload token;
- any PEM private key.
Frames that cannot mention any of these are returned untouched without parsing.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
# configuration key / variable names holding a secret
SECRET_NAME = re.compile(r"(?i)(pass(word|wd|phrase)|secret|pin$|key$|credential)")
# field names whose value is a secret wherever they appear
SECRET_FIELD = re.compile(r"(?i)(password|passwd|secret|simpin|privatekey)")
URL_FIELDS = ("location", "remoteLocation")
# Lower-cased markers of the above ("private key" contains "key"). Plain substring tests on a
# lower-cased copy cost a tenth of one case-insensitive regex alternation, which scanned every
# frame of every station and was a tenth of the hot path's CPU.
_MARKERS = ("key", "pass", "secret", "pin", "://", "credential")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")


def redact_frame(frame: str) -> str:
    """The frame with its secrets masked; the frame itself when it holds none (or is not
    JSON: a malformed frame is logged as it came, a support case needs it)."""
    if not may_hold_secret(frame):
        return frame
    try:
        message = json.loads(frame)
    except ValueError:
        return _PRIVATE_KEY.sub(f"-----{MASK} PRIVATE KEY-----", frame)
    changed = [False]
    cleaned = _clean(message, changed, None)
    return json.dumps(cleaned, separators=(",", ":")) if changed[0] else frame


def may_hold_secret(frame: str) -> bool:
    low = frame.lower()
    # spelled out: a third cheaper than any() over _MARKERS, on every frame of every station
    return ("key" in low or "pass" in low or "secret" in low or "pin" in low or "://" in low
            or "credential" in low)


def _clean(value: Any, changed: list[bool], field: str | None) -> Any:
    if isinstance(value, dict):
        return _clean_object(value, changed)
    if isinstance(value, list):
        return [_clean(v, changed, field) for v in value]
    if isinstance(value, str):
        if _PRIVATE_KEY.search(value):
            changed[0] = True
            return MASK
        if field in URL_FIELDS and "://" in value:
            masked = redact_url(value)
            changed[0] |= masked != value
            return masked
    return value


def _clean_object(obj: dict[str, Any], changed: list[bool]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    secret_name = _named_secret(obj)
    for key, value in obj.items():
        if value is not None and (
                SECRET_FIELD.search(key)
                or (secret_name and key in ("value", "attributeValue"))
                or (key == "key" and "user" in obj and "group" in obj)):  # 2.0.1 vpn key
            changed[0] = True
            out[key] = MASK
        elif secret_name and key == "variableAttribute" and isinstance(value, list):
            changed[0] = True
            out[key] = [{**a, "value": MASK} if isinstance(a, dict) and "value" in a else a
                        for a in value]
        else:
            out[key] = _clean(value, changed, key)
    return out


def _named_secret(obj: dict[str, Any]) -> bool:
    """A 1.6 configuration entry or a 2.0.1 variable whose name says it holds a secret."""
    name = obj.get("key")
    variable = obj.get("variable")
    if isinstance(variable, dict):
        name = variable.get("name")
    return isinstance(name, str) and bool(SECRET_NAME.search(name))


def redact_url(url: str) -> str:
    """Mask the user-info password, the query and an upload token of a URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else netloc
    segments = parts.path.split("/")
    for i, segment in enumerate(segments[:-1]):
        if segment == "uploads" and segments[i + 1]:
            segments[i + 1] = MASK
    query = MASK if parts.query else ""
    return urlunsplit((parts.scheme, netloc, "/".join(segments), query, parts.fragment))
