"""Which errors are the database's fault, and how often they reach the log."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from csms.domain.errors import StorageUnavailable
from csms.logs import StorageFaultFilter
from csms.persistence.faults import is_fault


def test_a_read_only_database_is_a_fault_and_a_constraint_is_not(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
        conn.execute("INSERT INTO t VALUES (1)")
    # Opened read-only (root ignores file modes, not SQLite's own read-only mode).
    ro = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with ro.connect() as conn, pytest.raises(OperationalError) as refused:
        conn.execute(text("INSERT INTO t VALUES (2)"))
    assert "readonly" in str(refused.value) and is_fault(refused.value)
    rw = create_engine(f"sqlite:///{path}")
    with rw.connect() as conn, pytest.raises(IntegrityError) as duplicate:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    assert not is_fault(duplicate.value)
    assert not is_fault(ValueError("a work's own bug"))


def _record(msg: str, exc: BaseException | None) -> logging.LogRecord:
    exc_info = (type(exc), exc, None) if exc else None
    return logging.LogRecord("csms.planner", logging.ERROR, __file__, 1, msg, ("site-1",),
                             exc_info)


def test_storage_faults_are_logged_once_per_interval_without_traceback() -> None:
    clock = [0.0]
    keep = StorageFaultFilter(10.0, now=lambda: clock[0])
    fault = StorageUnavailable("OperationalError: database or disk is full")
    first = _record("re-planning %s failed", fault)
    assert keep.filter(first)
    assert first.exc_info is None
    assert first.getMessage() == ("re-planning site-1 failed (database unavailable: "
                                  "OperationalError: database or disk is full)")
    for _ in range(500):
        clock[0] += 0.01
        assert not keep.filter(_record("re-planning %s failed", fault))
    clock[0] += 10
    later = _record("re-planning %s failed", fault)
    assert keep.filter(later)
    assert "500 more like it" in later.getMessage()
    other = _record("re-planning %s failed", ValueError("a bug"))
    assert keep.filter(other) and other.exc_info is not None  # other errors untouched
