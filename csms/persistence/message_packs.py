"""The OCPP message log, stored as packs: one row per station per flush, its frames compressed.

A row per frame cost the writer an index entry at a random place for every frame, two per
message, sharing the group commit with the stations' replies: about 6 KB written per message
under load (`bench/scale`, bytes written by the server per message). A pack holds a station's
frames of one flush, oldest first, as zlib-compressed JSON `[[at, direction, frame], ...]`: one
index entry per station per flush, and a third of the bytes or less (a station's frames repeat
their keys). The log is for support: it is read a station at a time, newest first.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

import orjson
from sqlalchemy import Connection, bindparam, delete, insert, select

from csms.clock import EPOCH, MICROSECOND, from_micros
from csms.persistence import tables as t
from csms.persistence.raw import Raw, sqlite_time
from csms.services.ports import LoggedFrame

_c = t.ocpp_message_packs.c
_RAW_PACKS = Raw(insert(t.ocpp_message_packs),
                 ("station_id", "first_at", "last_at", "frames", "data"))
_NEWEST = (select(_c.id, _c.frames, _c.data).where(_c.station_id == bindparam("s"))
           .order_by(_c.id.desc()))
# A trim runs for about a station in three per flush under load: its statements are built
# once (building a clause costs about 100 us, more than running it).
_SIZES = (select(_c.id, _c.frames).where(_c.station_id == bindparam("s"))
          .order_by(_c.id.desc()))
_CUT = delete(t.ocpp_message_packs).where(
    (_c.station_id == bindparam("s")) & (_c.id < bindparam("below")))


def pack(frames: Iterable[LoggedFrame]) -> bytes:
    """Times as integer microseconds since the epoch, as the log stamps them: exact, and
    nothing to format per frame (older packs hold ISO text, read all the same)."""
    return zlib.compress(orjson.dumps(list(frames)), 1)


def frames_of(data: bytes) -> list[LoggedFrame]:
    return [(at if isinstance(at, int) else
             (datetime.fromisoformat(at) - EPOCH) // MICROSECOND, d, f)
            for at, d, f in orjson.loads(zlib.decompress(data))]


def unpack(data: bytes) -> list[tuple[datetime, str, str]]:
    return [(from_micros(at), d, f) for at, d, f in frames_of(data)]


class MessageRepo:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def append(self, stations: Mapping[str, Sequence[LoggedFrame]], keep: int,
               trim: Collection[str]) -> None:
        """Store frames, one pack per station; cut the stations in `trim` back to the packs
        holding their newest `keep` frames."""
        packs = [(s, frames[0][0], frames[-1][0], len(frames), pack(frames))
                 for s, frames in stations.items() if frames]
        if packs and self._c.dialect.name == "sqlite":
            _RAW_PACKS.run(self._c, [
                (s, sqlite_time(from_micros(a)), sqlite_time(from_micros(b)), n, data)
                for s, a, b, n, data in packs])
        elif packs:
            self._c.execute(insert(t.ocpp_message_packs), [
                {"station_id": s, "first_at": from_micros(a), "last_at": from_micros(b),
                 "frames": n, "data": data}
                for s, a, b, n, data in packs])
        for station_id in trim:
            self._trim(station_id, keep)

    def _trim(self, station_id: str, keep: int) -> None:
        """Whole packs: those older than the packs holding the newest `keep` frames go. The
        oldest pack kept may hold older frames, which no reader is shown (the log's readers
        ask for `keep` at most); rewriting it cost the writer a decompression and a
        compression per trim (a twentieth of its time at 4,000 messages/s)."""
        held = 0
        for pack_id, frames in self._c.execute(_SIZES, {"s": station_id}).all():
            held += frames
            if held >= keep:
                self._c.execute(_CUT, {"s": station_id, "below": pack_id})
                return

    def recent(self, station_id: str, limit: int = 100) -> list[tuple[datetime, str, str]]:
        """The station's newest `limit` frames, newest first."""
        out: list[tuple[datetime, str, str]] = []
        for _, _, data in self._c.execute(_NEWEST, {"s": station_id}):
            out.extend(reversed(unpack(data)))
            if len(out) >= limit:
                break
        return out[:limit]
