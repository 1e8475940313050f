"""Commands that start a job on the station: firmware updates and log (diagnostics) uploads.

`request_id` is the id of the job csms keeps for the request (the station echoes it in its
notifications); `job_id` in the result is that job, when the station accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from csms.domain.commands.base import Command, Result, StatusResult, omitted_when_none


@dataclass(frozen=True, slots=True)
class FirmwareResult(Result):
    reason: str | None = omitted_when_none()
    request_id: int | None = omitted_when_none()
    job_id: int | None = omitted_when_none()


@dataclass(frozen=True)
class UpdateFirmware(Command[FirmwareResult]):
    name = "update-firmware"
    result = FirmwareResult
    location: str
    retrieve_at: datetime
    retries: int | None = None
    retry_interval_s: int | None = None
    signature: str | None = None  # signed firmware: 2.0.1, or 1.6 with the security extension
    signing_certificate: str | None = None
    request_id: int | None = None

    @property
    def signed(self) -> bool:
        return self.signature is not None or self.signing_certificate is not None


@dataclass(frozen=True, slots=True)
class LogResult(Result):
    reason: str | None = omitted_when_none()
    file_name: str | None = None  # none: nothing to upload
    request_id: int | None = omitted_when_none()
    job_id: int | None = omitted_when_none()


@dataclass(frozen=True)
class GetDiagnostics(Command[LogResult]):
    name = "get-diagnostics"
    result = LogResult
    location: str | None = None  # none: a one-time upload URL of csms itself
    log_type: Literal["diagnostics", "security"] | None = None
    start: datetime | None = None
    stop: datetime | None = None
    retries: int | None = None
    retry_interval_s: int | None = None
    request_id: int | None = None


@dataclass(frozen=True)
class PublishFirmware(Command[FirmwareResult]):
    """Ask a local controller to download a firmware file and publish it to the stations
    behind it (2.0.1 L03); its PublishFirmwareStatusNotifications carry `request_id`."""

    name = "publish-firmware"
    result = FirmwareResult
    location: str
    checksum: str  # the file's MD5, which the stations are told to check
    retries: int | None = None
    retry_interval_s: int | None = None
    request_id: int | None = None


@dataclass(frozen=True)
class UnpublishFirmware(Command[StatusResult]):
    """Stop a local controller publishing the firmware of that MD5 checksum (2.0.1 L03)."""

    name = "unpublish-firmware"
    result = StatusResult
    checksum: str
