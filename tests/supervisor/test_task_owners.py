"""A guard beside the behavioural tests: every task csms starts has an owner that ends it.

A new `create_task` / `ensure_future` anywhere in csms/ fails this test until it is given an
owner below (and the owner stops it: a `close()`/`stop()` the server calls at shutdown, a
TaskGroup, or the supervisor). The composition root starts none itself."""

from __future__ import annotations

import re
from pathlib import Path

CSMS = Path(__file__).resolve().parents[2] / "csms"
SPAWN = re.compile(r"\b(create_task|ensure_future)\(")
TASK_GROUP = re.compile(r"\b(tg|self\._tasks)\.create_task\(")  # inside `async with TaskGroup`

# path -> (how many task starts, who owns them and stops them)
OWNERS: dict[str, tuple[int, str]] = {
    "supervisor.py": (1, "Supervisor: every background loop, stopped by CsmsServer.stop()"),
    "persistence/database.py": (2, "SqlDatabase: the writer, and stop()'s wait for the "
                                "queue to drain, both ended by db.stop()"),
    "services/books.py": (1, "TokenBook/TariffBook refreshes, ended by their close()"),
    "services/stations/live.py": (3, "LiveStations loads and re-reads, TransactionKeys block "
                                     "reservation, ended by their close()"),
    "services/smart/smart_charging.py": (1, "profile checks, ended by "
                                            "SmartChargingService.close()"),
    "services/smart/capabilities.py": (1, "capability probes, ended by CapabilityProbe.close()"),
    "services/security/certificates.py": (1, "certificate deliveries, "
                                             "CertificateService.close()"),
    "workers/auth_sync.py": (1, "LocalListWorker checks, cancelled and awaited when its run "
                                "(a supervised loop) ends"),
    "api/routes/events.py": (2, "the event stream's own waits, cancelled in its finally"),
    "ocpp/link.py": (1, "a connection's handshake-then-session task, kept in Endpoint.tasks; "
                        "close_all() (OcppServer.stop) closes the links, then cancels and "
                        "awaits what is left"),
    "ocpp/keepalive.py": (1, "wraps a ping's existing future: no new task"),
    "services/devices/compatibility.py": (1, "profile re-reads after invalidations, ended by "
                                             "CompatibilityBook.close()"),
    "workers/station_setup.py": (1, "one set-up per station, cancelled and awaited when "
                                    "StationSetupWorker.run (a supervised loop) ends"),
}


def _starts() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted(CSMS.rglob("*.py")):
        rel = path.relative_to(CSMS).as_posix()
        for line in path.read_text(encoding="utf-8").splitlines():
            if SPAWN.search(line) and not TASK_GROUP.search(line):
                found[rel] = found.get(rel, 0) + 1
    return found


def test_every_task_start_in_csms_has_a_known_owner() -> None:
    found = _starts()
    unowned = {path: n for path, n in found.items() if OWNERS.get(path, (0, ""))[0] < n}
    assert not unowned, f"tasks without an owner (add one, then list it here): {unowned}"
    stale = {path for path, (n, _) in OWNERS.items() if found.get(path, 0) != n}
    assert not stale, f"owners listed for task starts that moved or went: {stale}"


def test_the_composition_root_starts_no_task_itself() -> None:
    assert "app.py" not in _starts()
