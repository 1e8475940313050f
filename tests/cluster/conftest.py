"""The `cluster` fixture: nodes on a fresh PostgreSQL database and a private Redis prefix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.cluster.support import Cluster, redis_url


@pytest.fixture
async def cluster(postgres_url: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    c = Cluster(postgres_url, redis_url(), tmp_path)
    try:
        yield c
    finally:
        await c.close()
