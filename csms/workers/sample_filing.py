"""Files the meter values the hot path journaled (persistence/samples.py says why).

Each filing is written in chunks, each its own write, so the stations' batches go on between
them: the writer never holds one long commit.
"""

from __future__ import annotations

from csms.services.ports import Database

FILE_INTERVAL_S = 2.0
# Journal rows per write: a few milliseconds of the writer.
CHUNK = 1000


async def file_samples(db: Database) -> int:
    """File the whole journal as it is now, chunk by chunk; how many rows moved."""
    moved = 0
    while True:
        n = await db.write(lambda uow: uow.transactions.file_samples(CHUNK))
        moved += n
        if n < CHUNK:
            return moved
