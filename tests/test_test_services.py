"""The test suite's own rule for PostgreSQL and Redis: found, skipped, or (in CI) required."""

from __future__ import annotations

import pytest

import tests.conftest as conftest


def _nothing_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSMS_TEST_POSTGRES_URL", raising=False)
    monkeypatch.setitem(conftest._SERVICES, "postgres",
                        ("CSMS_TEST_POSTGRES_URL", 1, "postgresql+asyncpg://nowhere/test"))


def test_a_missing_service_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    _nothing_listens(monkeypatch)
    monkeypatch.delenv("CSMS_TEST_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception):
        conftest.service_url("postgres")


def test_a_missing_service_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    _nothing_listens(monkeypatch)
    monkeypatch.setenv("CSMS_TEST_REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="required"):
        conftest.service_url("postgres")


def test_the_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSMS_TEST_POSTGRES_URL", "postgresql+asyncpg://elsewhere/db")
    assert conftest.service_url("postgres") == "postgresql+asyncpg://elsewhere/db"
