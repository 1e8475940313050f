"""Firmware updates and log uploads a station carries out for us, and the files it uploads.

A job follows one CSMS request (UpdateFirmware, GetDiagnostics, GetLog, ...) through the
status notifications the station sends back; it is open until a final status arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FIRMWARE = "firmware"
LOG = "log"

REQUESTED = "Requested"  # sent, no reply yet: a notification may still overtake the reply
ACCEPTED = ("Accepted", "AcceptedCanceled")
SUPERSEDED = "Superseded"

# Statuses after which the station works no more on a job (1.6, its security extension, 2.0.1).
FINAL = {
    FIRMWARE: frozenset({"Installed", "DownloadFailed", "InstallationFailed",
                         "InstallVerificationFailed", "InvalidSignature"}),
    LOG: frozenset({"Uploaded", "UploadFailed", "UploadFailure", "BadMessage",
                    "NotSupportedOperation", "PermissionDenied", "AcceptedCanceled"}),
}
# "Idle" answers a TriggerMessage when nothing runs: it says nothing about a job.
NOT_A_STEP = frozenset({"Idle"})


@dataclass(frozen=True)
class JobStep:
    status: str
    at: datetime


@dataclass(frozen=True)
class Job:
    id: int
    station_id: str
    kind: str
    request_id: int | None
    status: str
    location: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    params: dict[str, Any] = field(default_factory=dict)
    history: tuple[JobStep, ...] = ()

    @property
    def open(self) -> bool:
        return self.closed_at is None


def is_final(kind: str, status: str) -> bool:
    return status in FINAL.get(kind, frozenset())


@dataclass(frozen=True)
class UploadSlot:
    """A one-time upload URL handed to a station (only the token's hash is stored)."""

    id: int
    station_id: str
    job_id: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class UploadedFile:
    id: int
    station_id: str
    job_id: int | None
    file_name: str
    content_type: str | None
    size: int
    sha256: str
    stored_as: str
    uploaded_at: datetime


def safe_file_name(raw: str | None, default: str) -> str:
    """A name to show and to offer on download: the last path segment of what the station
    said, without control characters or quotes. It is never used as a path on disk."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "\"'")
    name = name.strip().strip(".")[:255]
    return name or default
