"""`csms` command line: serve, db upgrade, admin-token. Builds Settings once, passes it down."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from csms import __version__, logs
from csms.settings import Settings

# flag -> settings field; every flag overrides its CSMS_ variable.
_SERVE_FLAGS: dict[str, tuple[str, type]] = {
    "--database-url": ("database_url", str),
    "--ocpp-host": ("ocpp_host", str),
    "--ocpp-port": ("ocpp_port", int),
    "--ocpp-tls-port": ("ocpp_tls_port", int),
    "--tls-cert": ("tls_cert", str),
    "--tls-key": ("tls_key", str),
    "--tls-client-ca": ("tls_client_ca", str),
    "--api-host": ("api_host", str),
    "--api-port": ("api_port", int),
    "--admin-token": ("admin_token", str),
    "--redis-url": ("redis_url", str),
    "--node-id": ("node_id", str),
    "--call-timeout": ("call_timeout", float),
    "--heartbeat-interval": ("heartbeat_interval", int),
    "--log-level": ("log_level", str),
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="csms", description=__doc__)
    p.add_argument("--version", action="version", version=f"csms {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the OCPP endpoint and the HTTP API")
    for flag, (field, kind) in _SERVE_FLAGS.items():
        serve.add_argument(flag, dest=field, type=kind, default=None,
                           help=f"overrides CSMS_{field.upper()}")
    for flag in ("--unknown-stations", "--unknown-id-tokens"):
        field = flag[2:].replace("-", "_")
        serve.add_argument(flag, dest=field, choices=["reject", "accept"], default=None,
                           help=f"overrides CSMS_{field.upper()}")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply Alembic migrations")
    up.add_argument("--database-url", dest="database_url", default=None)

    tok = sub.add_parser("admin-token", help="generate a new admin token (old one stops working)")
    tok.add_argument("--rotate", action="store_true", required=True)
    tok.add_argument("--database-url", dest="database_url", default=None)

    pd = sub.add_parser("plan-day", help="simulate one day of a site with the planner (what-if)")
    pd.add_argument("scenario", help="scenario JSON file (format: docs/plan-day.md)")
    pd.add_argument("--policy", default="green", help="green (default) or immediate")
    pd.add_argument("--out", default=None, help="write the result JSON here (default: stdout)")
    return p


def _settings(args: argparse.Namespace) -> Settings:
    fields = set(Settings.model_fields)
    overrides: dict[str, Any] = {
        k: v for k, v in vars(args).items() if k in fields and v is not None
    }
    return Settings(**overrides)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "plan-day":
        return _plan_day(args)
    try:
        settings = _settings(args)
    except ValidationError as e:
        print(f"csms: invalid settings:\n{e}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    if args.command == "serve":
        from csms import process
        from csms.app import serve

        process.tune_garbage_collector()
        limit = process.raise_open_files_limit()
        logging.getLogger("csms").info(
            "open-files limit %d: room for about %d stations in this process", limit,
            process.station_capacity(limit))
        try:
            process.run(lambda: serve(settings))
        except OSError as e:
            print(f"csms: cannot start: {e}", file=sys.stderr)
            return 1
        return 0
    if args.command == "db":
        from csms.persistence.migrate import upgrade

        upgrade(settings.database_url)
        print("database is up to date")
        return 0
    if args.command == "admin-token":
        return asyncio.run(_rotate(settings))
    return 2


async def _rotate(settings: Settings) -> int:
    from csms.persistence.database import SqlDatabase
    from csms.persistence.migrate import upgrade
    from csms.services.office.admin import ensure_admin_token

    await asyncio.to_thread(upgrade, settings.database_url)
    db = SqlDatabase(settings.database_url)
    await db.start()
    _, plain = await ensure_admin_token(db, None, rotate=True)
    await db.stop()
    print(f"new admin token: {plain}")
    return 0


def _plan_day(args: argparse.Namespace) -> int:
    """`csms plan-day`: bad input is one line on stderr and exit code 2, never a traceback."""
    import json

    from csms import whatif

    if args.policy not in whatif.POLICIES:
        print(f"csms plan-day: unknown policy {args.policy!r} (choose green or immediate)",
              file=sys.stderr)
        return 2
    try:
        scenario = whatif.load(args.scenario)
    except whatif.ScenarioError as e:
        print(f"csms plan-day: {e}", file=sys.stderr)
        return 2
    result = whatif.run(scenario, args.policy, progress=_progress_bar()).result()
    if args.out is None:
        print(_compact(result))
        return 0
    try:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(json.dumps(result, indent=1) + "\n")
    except OSError as e:
        print(f"csms plan-day: cannot write {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    print(json.dumps(result["summary"]))
    return 0


def _progress_bar() -> Callable[[int, int], None] | None:
    """On a terminal, a long day shows how far it got (on stderr: stdout is the result)."""
    if not sys.stderr.isatty():
        return None

    def show(slot: int, slots: int) -> None:
        done = 30 * (slot + 1) // slots
        end = "\n" if slot + 1 == slots else ""
        print(f"\rplanning [{'#' * done}{'.' * (30 - done)}] slot {slot + 1}/{slots}",
              end=end, file=sys.stderr, flush=True)

    return show


def _compact(result: dict[str, Any]) -> str:
    """The result JSON for a terminal: the summary first, then one line per session (a day of
    15-minute slots would otherwise be hundreds of lines before the summary)."""
    import json

    lines = ["{", f' "slot_minutes": {json.dumps(result["slot_minutes"])},',
             f' "summary": {json.dumps(result["summary"])},', ' "sessions": {']
    sessions = list(result["sessions"].items())
    for n, (name, powers) in enumerate(sessions):
        comma = "," if n < len(sessions) - 1 else ""
        lines.append(f"  {json.dumps(name)}: {json.dumps(powers)}{comma}")
    lines += [" }"] + [f' ,{json.dumps(k)}: {json.dumps(v)}' for k, v in result.items()
                       if k not in ("slot_minutes", "summary", "sessions")] + ["}"]
    return "\n".join(lines)
