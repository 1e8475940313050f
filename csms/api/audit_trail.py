"""Every change through the API lands in the audit log before its reply leaves: who, what,
on which station or site, and how it ended (the station's status for a command, the detail of
a refusal). Reads are not logged; sign-ins are logged by the sign-in route itself."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from csms.domain.people import Principal
from csms.services.office.audit import AuditRecord, AuditService

log = logging.getLogger(__name__)

_READS = {"GET", "HEAD", "OPTIONS"}
MAX_OUTCOME = 500


class AuditTrail:
    def __init__(self, app: ASGIApp, audit: AuditService, prefix: str,
                 skip: tuple[str, ...]) -> None:
        self.app = app
        self._audit = audit
        self._prefix = prefix
        self._skip = skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] in _READS
                or not scope["path"].startswith(self._prefix)
                or scope["path"].startswith(self._skip)):
            await self.app(scope, receive, send)
            return
        note: dict[str, Any] = {}
        scope["csms.audit"] = note  # filled by the access check: principal and route
        held: list[Message] = []
        done = False

        async def send_after_record(message: Message) -> None:
            nonlocal done
            if message["type"] == "http.response.start" and not done:
                held.append(message)
                return
            if message["type"] == "http.response.body" and held and not done:
                done = True
                await self._record(scope, note, held[0]["status"], message.get("body", b""))
                await send(held.pop())
            await send(message)

        try:
            await self.app(scope, receive, send_after_record)
        except Exception:
            if not done:
                done = True
                await self._record(scope, note, 500, b"")
            raise

    async def _record(self, scope: Scope, note: dict[str, Any], status: int,
                      body: bytes) -> None:
        principal = note.get("principal")
        params: dict[str, Any] = scope.get("path_params", {})
        client = scope.get("client")
        record = AuditRecord(
            actor=principal.actor if isinstance(principal, Principal) else "anonymous",
            role=principal.role.value if isinstance(principal, Principal) else None,
            action=note.get("action") or f"{scope['method']} {scope['path']}"[:255],
            status_code=status, method=scope["method"], path=scope["path"][:2000],
            station_id=_text(params.get("station_id")), site_id=_text(params.get("site_id")),
            outcome=_outcome(body), client=client[0] if client else None)
        try:
            await self._audit.record(record)
        except Exception:  # the change is committed; its reply must still leave
            log.exception("audit entry not written: %s", record)


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def _outcome(body: bytes) -> str | None:
    """The station's `status` of a command, or the `detail` of an error."""
    try:
        value = json.loads(body) if body else None
    except ValueError:
        return None
    if isinstance(value, dict):
        for key in ("status", "detail"):
            if key in value:
                found = value[key]
                text = found if isinstance(found, str) else json.dumps(found, default=str)
                return text[:MAX_OUTCOME]
    return None
