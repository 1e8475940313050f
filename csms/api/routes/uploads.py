"""Where stations upload diagnostics and logs: `PUT|POST /api/v1/uploads/{token}[/{name}]`.

No bearer token here: the one-time token in the URL, which csms handed to the station in
GetDiagnostics/GetLog, is the authorization. Chargers differ in how they upload, so both
a raw body and multipart/form-data are taken, with or without a file name in the path (a 1.6
charger often appends its own file name to the location it was given).
"""

from __future__ import annotations

import asyncio
import email.policy
import re
from email.message import EmailMessage
from email.parser import BytesParser

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from csms.api.deps import Diagnostics

router = APIRouter(tags=["uploads"])

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
_RESPONSES: dict[int | str, dict[str, str]] = {
    400: {"description": "a multipart body without a file"},
    404: {"description": "unknown, used or expired upload URL"},
    413: {"description": "larger than CSMS_UPLOAD_MAX_BYTES (nothing is kept)"},
    422: {"description": "empty body"},
}


class Received(BaseModel):
    file_id: int
    file_name: str
    size: int
    sha256: str


async def _body(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 as soon as it exceeds `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the upload exceeds {limit} bytes")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise HTTPException(413, f"the upload exceeds {limit} bytes")
    return bytes(data)


def _file_part(content_type: str, body: bytes) -> tuple[str | None, str | None, bytes]:
    """(file name, content type, bytes) of the file in a multipart/form-data body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts = [p for p in message.iter_parts() if isinstance(p, EmailMessage)]
    chosen = (next((p for p in parts if p.get_filename()), None)
              or next((p for p in parts if p.get_param("name", header="content-disposition")
                       == "file"), None)
              or (parts[0] if parts else None))
    if chosen is None:
        raise ValueError("no part")
    data = chosen.get_payload(decode=True)
    if not isinstance(data, bytes):
        raise ValueError("part without content")
    return chosen.get_filename(), chosen.get_content_type(), data


async def _receive(request: Request, diagnostics: Diagnostics, token: str, name: str | None
                   ) -> Received:
    if not _TOKEN.fullmatch(token):
        raise HTTPException(404, "unknown upload URL")
    slot = await diagnostics.slot(token)  # before reading: a stranger's body is not read
    body = await _body(request, diagnostics.config.max_bytes)
    content_type = request.headers.get("content-type")
    if content_type and content_type.lower().startswith("multipart/form-data"):
        try:
            part_name, content_type, body = await asyncio.to_thread(
                _file_part, content_type, body)
        except ValueError as e:
            raise HTTPException(400, "a multipart/form-data body needs a file part") from e
        name = name or part_name
    elif not name:
        disposition = request.headers.get("content-disposition", "")
        found = re.search(r'filename="?([^";]+)"?', disposition)
        name = found.group(1) if found else None
    received = await diagnostics.receive(slot, name or None, content_type, body)
    return Received(file_id=received.id, file_name=received.file_name, size=received.size,
                    sha256=received.sha256)


@router.put("/uploads/{token}", status_code=201, responses=_RESPONSES,
            operation_id="upload_put")
@router.post("/uploads/{token}", status_code=201, responses=_RESPONSES,
             operation_id="upload_post")
async def upload(token: str, request: Request, diagnostics: Diagnostics) -> Received:
    """A station's upload (raw body or multipart/form-data) to its one-time URL."""
    return await _receive(request, diagnostics, token, None)


@router.put("/uploads/{token}/{name:path}", status_code=201, responses=_RESPONSES,
            operation_id="upload_named_put")
@router.post("/uploads/{token}/{name:path}", status_code=201, responses=_RESPONSES,
             operation_id="upload_named_post")
async def upload_named(token: str, name: str, request: Request, diagnostics: Diagnostics
                       ) -> Received:
    """The same, with the file name the station appended to its URL."""
    return await _receive(request, diagnostics, token, name)
