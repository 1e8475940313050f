"""What a simulated station does after accepting UpdateFirmware or a log request: really
fetch the firmware from the URL it was given, and really upload a generated log file.

Transfers use the standard library's urllib in a worker thread with a short timeout, so the
event loop (and the station's OCPP conversation) goes on meanwhile. Statuses are reported
through a `notify(status)` callback the version-specific handler provides.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulators.station import SimStation

Notify = Callable[[str], Awaitable[None]]

TIMEOUT_S = 10.0  # wall seconds per transfer
MAX_FIRMWARE_BYTES = 64 * 1024 * 1024
STEP_S = 2.0  # simulated seconds between progress notifications
_SCHEMES = ("http://", "https://", "ftp://")


class TransferError(Exception):
    """A download or upload failed (unreachable, refused, HTTP error, bad URL)."""


def _fetch(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        data: bytes = response.read(MAX_FIRMWARE_BYTES + 1)
    if len(data) > MAX_FIRMWARE_BYTES:
        raise TransferError("firmware image too large")
    return data


async def download(url: str, timeout: float = TIMEOUT_S) -> bytes:
    if not url.lower().startswith(_SCHEMES):
        raise TransferError(f"unsupported location {url!r}")
    try:
        return await asyncio.to_thread(_fetch, url, timeout)
    except (OSError, ValueError, urllib.error.URLError) as e:
        raise TransferError(str(e)) from e


def _send(url: str, name: str, data: bytes, multipart: bool, timeout: float) -> None:
    if multipart:
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        request = urllib.request.Request(url, body, headers, method="POST")
    else:
        headers = {"Content-Type": "application/octet-stream"}
        request = urllib.request.Request(url, data, headers, method="PUT")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()


async def upload(location: str, name: str, data: bytes, *, multipart: bool,
                 timeout: float = TIMEOUT_S) -> None:
    """PUT the raw file, or POST it as multipart/form-data; a location ending in "/" is a
    directory the file name is appended to."""
    url = location + name if location.endswith("/") else location
    if not url.lower().startswith(("http://", "https://")):
        raise TransferError(f"cannot upload to {location!r}")
    try:
        await asyncio.to_thread(_send, url, name, data, multipart, timeout)
    except (OSError, ValueError, urllib.error.URLError) as e:
        raise TransferError(str(e)) from e


async def update_firmware(st: SimStation, location: str, retries: int, retry_interval_s: float,
                          notify: Notify, *, signed: bool = False) -> bool:
    """Download (with retries), then install; True when installed."""
    await notify("Downloading")
    image: bytes | None = None
    for attempt in range(1 + max(0, retries)):
        try:
            image = await download(location)
            break
        except TransferError as e:
            st.log.info("firmware download %d failed: %s", attempt + 1, e)
            if attempt < retries:
                await st.clock.sleep(min(retry_interval_s, 60.0))
    if image is None:
        await notify("DownloadFailed")
        return False
    await notify("Downloaded")
    if signed:
        await st.clock.sleep(STEP_S)
        await notify("SignatureVerified")
    await st.clock.sleep(STEP_S)
    await notify("Installing")
    await st.clock.sleep(STEP_S)
    await notify("Installed" if image else "InstallationFailed")  # an empty image is broken
    return bool(image)


def log_file(st: SimStation, log_type: str) -> bytes:
    """A plausible log: who, when, what each connector does."""
    lines = [f"# {log_type} of {st.station_id} ({st.protocol}) at {st.clock.iso_now()}",
             f"firmware={st.cfg.firmware} vendor={st.cfg.vendor} model={st.cfg.model}"]
    for evse, connector in sorted(st.connectors):
        lines.append(f"evse {evse} connector {connector}: {st.state_of(evse, connector)}")
    lines += [f"transaction {tx.tx_id} on evse {e}" for e, tx in sorted(st.tx.items())]
    return ("\n".join(lines) + "\n").encode()


async def upload_log(st: SimStation, location: str, name: str, log_type: str, notify: Notify,
                     *, multipart: bool, failed: str) -> bool:
    """Upload a generated log file, reporting Uploading then Uploaded or `failed`."""
    await notify("Uploading")
    try:
        await upload(location, name, log_file(st, log_type), multipart=multipart)
    except TransferError as e:
        st.log.info("log upload failed: %s", e)
        await notify(failed)
        return False
    await st.clock.sleep(STEP_S)
    await notify("Uploaded")
    return True
