"""Firmware jobs, diagnostics/log jobs and the files stations uploaded."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse
from pydantic import BaseModel

from csms.api.command_schemas import UpdateFirmware
from csms.api.deps import Commands, Diagnostics, Firmware
from csms.domain.commands import from_data
from csms.domain.commands.files import UpdateFirmware as UpdateFirmwareCommand
from csms.domain.errors import Conflict
from csms.domain.jobs import Job, UploadedFile

router = APIRouter(tags=["firmware and diagnostics"])


class JobStepOut(BaseModel):
    status: str
    at: datetime


class JobOut(BaseModel):
    id: int
    request_id: int | None
    status: str
    open: bool
    location: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    history: list[JobStepOut]


class FirmwareJobOut(JobOut):
    retrieve_at: str | None
    signed: bool
    retries: int | None
    retry_interval_s: int | None


class LogJobOut(JobOut):
    log_type: Literal["diagnostics", "security"]
    file_name: str | None
    files: list[int]


class FileOut(BaseModel):
    id: int
    job_id: int | None
    file_name: str
    content_type: str | None
    size: int
    sha256: str
    uploaded_at: datetime


class DiagnosticsOut(BaseModel):
    jobs: list[LogJobOut]
    files: list[FileOut]


def _common(job: Job) -> dict[str, Any]:
    return {"id": job.id, "request_id": job.request_id, "status": job.status, "open": job.open,
            "location": job.location, "created_at": job.created_at,
            "updated_at": job.updated_at, "closed_at": job.closed_at,
            "history": [JobStepOut(status=s.status, at=s.at) for s in job.history]}


def firmware_out(job: Job) -> FirmwareJobOut:
    p = job.params
    return FirmwareJobOut(**_common(job), retrieve_at=p.get("retrieve_at"),
                          signed=bool(p.get("signed")), retries=p.get("retries"),
                          retry_interval_s=p.get("retry_interval_s"))


def file_out(f: UploadedFile) -> FileOut:
    return FileOut(id=f.id, job_id=f.job_id, file_name=f.file_name, content_type=f.content_type,
                   size=f.size, sha256=f.sha256, uploaded_at=f.uploaded_at)


@router.get("/stations/{station_id}/firmware")
async def firmware_jobs(station_id: str, firmware: Firmware) -> list[FirmwareJobOut]:
    """Firmware updates csms asked for and the station accepted, newest first, each with the
    statuses the station reported."""
    return [firmware_out(j) for j in await firmware.list(station_id)]


@router.post("/stations/{station_id}/firmware", status_code=201, responses={
    404: {"description": "unknown station"},
    409: {"description": "station offline, or it refused the update"},
    502: {"description": "the station answered with a CALLERROR"},
    504: {"description": "the station did not answer in time"}})
async def update_firmware(station_id: str, body: UpdateFirmware, commands: Commands,
                          firmware: Firmware) -> FirmwareJobOut:
    """The update-firmware command, answered with the job it started."""
    await commands.reachable(station_id)
    result = await firmware.update(
        station_id, from_data(UpdateFirmwareCommand, body.model_dump(exclude_none=True)))
    if result.job_id is None:
        raise Conflict(f"the station refused the firmware update: {result.status}")
    return firmware_out(await firmware.job(station_id, result.job_id))


@router.get("/stations/{station_id}/diagnostics")
async def diagnostics(station_id: str, diagnostics: Diagnostics) -> DiagnosticsOut:
    """Diagnostics and log uploads asked for (newest first) and the files received."""
    jobs, files = await diagnostics.overview(station_id)
    by_job: dict[int, list[int]] = {}
    for f in files:
        if f.job_id is not None:
            by_job.setdefault(f.job_id, []).append(f.id)
    return DiagnosticsOut(
        jobs=[LogJobOut(**_common(j), log_type=j.params.get("log_type", "diagnostics"),
                        file_name=j.params.get("file_name"), files=by_job.get(j.id, []))
              for j in jobs],
        files=[file_out(f) for f in files])


@router.get("/stations/{station_id}/diagnostics/files/{file_id}",
            response_class=FileResponse, responses={404: {"description": "no such file"}})
async def download(station_id: str, file_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
                   diagnostics: Diagnostics) -> FileResponse:
    """The uploaded file, byte for byte."""
    found, path = await diagnostics.file(station_id, file_id)
    return FileResponse(path, media_type="application/octet-stream", filename=found.file_name)
