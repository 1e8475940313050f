"""Local authorization lists: what a station should hold, and the update that gets it there.

csms keeps one list for every station, generated from the id-token table (each token with its
status, expiry and group, so a Blocked card is refused offline too). Per station it remembers
the version and the entries the station acknowledged last; the next update is Differential
(changed and removed tokens only) unless the station needs the Full list: never synced, or it
answered Failed / VersionMismatch / NotSupported, or its version is not ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csms.domain.commands.authorization import LocalListEntry, SendLocalList
from csms.domain.commands.codec import from_data
from csms.domain.model import IdToken

Entry = dict[str, Any]  # the send-local-list command's entry: id_token, status, expires_at, ...


@dataclass(frozen=True, slots=True)
class LocalListState:
    station_id: str
    version: int = 0
    entries: Mapping[str, Entry] = field(default_factory=dict)
    needs_full: bool = True
    last_status: str | None = None
    last_update: str | None = None  # "full" | "differential"
    last_error: str | None = None
    synced_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ListUpdate:
    """One SendLocalList: the send-local-list command's arguments, and the list it leaves."""

    version: int
    full: bool
    entries: tuple[Entry, ...]
    result: dict[str, Entry]

    def command(self) -> SendLocalList:
        return SendLocalList(self.version, "full" if self.full else "differential",
                             tuple(from_data(LocalListEntry, e) for e in self.entries))


def entry_of(token: IdToken) -> Entry:
    entry: Entry = {"id_token": token.id_token, "status": token.status.value}
    if token.expires_at is not None:
        entry["expires_at"] = token.expires_at.isoformat()
    if token.group_id:
        entry["group_id"] = token.group_id
    return entry


def desired(tokens: Iterable[IdToken]) -> dict[str, Entry]:
    return {t.id_token: entry_of(t) for t in tokens}


def next_update(state: LocalListState, wanted: Mapping[str, Entry], full: bool = False
                ) -> ListUpdate | None:
    """The update bringing the station from `state` to `wanted`; None when it holds it."""
    version = state.version + 1
    if full or state.needs_full:
        return ListUpdate(version, True, tuple(wanted[k] for k in sorted(wanted)), dict(wanted))
    changed = [wanted[k] for k in sorted(wanted) if state.entries.get(k) != wanted[k]]
    removed = [{"id_token": k} for k in sorted(state.entries) if k not in wanted]
    if not changed and not removed:
        return None
    entries = sorted(changed + removed, key=lambda e: str(e["id_token"]))
    return ListUpdate(version, False, tuple(entries), dict(wanted))
