r"""Logging set-up: one line per record, with the station id when there is one.

Records carry `station_id` via `extra=` or a LoggerAdapter, so `grep '\[CP-17\]'` follows one
station's conversation through the OCPP edge, the services and the database writer. Station
ids and messages come from the network: control characters in them are escaped, so that
nobody can forge a log line with a CR/LF.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from csms.domain.errors import StorageUnavailable

FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(station_id)s] %(message)s"


def escape(text: str) -> str:
    """`text` with control and other unprintable characters as Python escapes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


class _StationIdDefault(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "station_id"):
            record.station_id = "-"
        return True


class EscapingFormatter(logging.Formatter):
    """Escapes the station id and the message; a traceback keeps its lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape(record.message)
        record.station_id = escape(str(getattr(record, "station_id", "-")))
        return super().formatMessage(record)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter(FORMAT))
    handler.addFilter(_StationIdDefault())
    handler.addFilter(StorageFaultFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("websockets.server", "uvicorn.access", "aiosqlite", "alembic.runtime.plugins",
                  "httpx"):  # httpx logs each request's URL, a provider's API key with it
        logging.getLogger(noisy).setLevel(logging.WARNING)


ExceptionHandler = Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object]


class Throttle:
    """Lets each kind of repeated message through once per interval and counts the rest.

    `allow(key)` is None for a repeat within `interval_s` (counted), else how many repeats
    were left out since the last one that passed, so the next line can say so."""

    def __init__(self, interval_s: float = 10.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self._now = now
        self._last: dict[str, float] = {}
        self._left_out: dict[str, int] = {}

    def allow(self, key: str) -> int | None:
        now = self._now()
        last = self._last.get(key)
        if last is not None and now - last < self.interval_s:
            self._left_out[key] = self._left_out.get(key, 0) + 1
            return None
        self._last[key] = now
        if len(self._last) > 1000:  # distinct messages: keep the memory bounded
            self._last = {key: now}
        return self._left_out.pop(key, 0)


class StorageFaultFilter(logging.Filter):
    """While the database fails, every component that reads or writes reports it, for every
    message of every station. The database writer logs the fault itself, with its cause; here
    each (logger, message) says it once per interval, on one line, without the traceback."""

    def __init__(self, interval_s: float = 10.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._throttle = Throttle(interval_s, now)
        self.interval_s = interval_s

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, StorageUnavailable):
            return True
        left_out = self._throttle.allow(f"{record.name}|{record.msg}")
        if left_out is None:
            return False
        more = (f"; {left_out} more like it in the last {self.interval_s:g} s not logged"
                if left_out else "")
        record.msg = f"{record.getMessage()} (database unavailable: {exc}{more})"
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True


class RepeatLimiter:
    """An event-loop exception handler that passes each kind of error on once per interval.

    Out of descriptors, the loop's accept reports EMFILE once per connection waiting in the
    backlog, every time it retries: tens of thousands of identical lines a second, which
    fill the disk and hide everything else. Repeats within `interval_s` are counted, and
    the next line that passes says how many were left out.
    """

    def __init__(self, interval_s: float = 10.0, then: ExceptionHandler | None = None,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self._then = then
        self._throttle = Throttle(interval_s, now)

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        key = f"{context.get('message')}|{type(exc).__name__}|{getattr(exc, 'errno', '')}"
        left_out = self._throttle.allow(key)
        if left_out is None:
            return
        if left_out:
            context = {**context, "message": f"{context.get('message')} ({left_out} more like "
                       f"it in the last {self.interval_s:g} s not logged)"}
        if self._then is not None:
            self._then(loop, context)
        else:
            loop.default_exception_handler(context)
