"""Uploaded files on local disk, under names csms chose (never a name a station sent)."""

from __future__ import annotations

import os
import re
from pathlib import Path

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


class DiskStore:
    """One flat directory; writes go to a temporary name and are renamed when complete."""

    def __init__(self, root: str) -> None:
        self.root = Path(root).resolve()

    def path(self, key: str) -> str:
        if not _KEY.fullmatch(key):
            raise ValueError(f"invalid storage key {key!r}")
        return str(self.root / key)

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        self.root.mkdir(parents=True, exist_ok=True)
        partial = target + ".part"
        with open(partial, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, target)

    def delete(self, key: str) -> None:
        Path(self.path(key)).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return Path(self.path(key)).is_file()
