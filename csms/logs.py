r"""Logging set-up: one line per record, with the station id when there is one.

Records carry `station_id` via `extra=` or a LoggerAdapter, so `grep '\[CP-17\]'` follows one
station's conversation through the OCPP edge, the services and the database writer.
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(station_id)s] %(message)s"


class _StationIdDefault(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "station_id"):
            record.station_id = "-"
        return True


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(_StationIdDefault())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("websockets.server", "uvicorn.access", "aiosqlite", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
