"""`python -m bench.robustness`: crash, retransmission, poison and idle-socket figures.

  python -m bench.robustness                          # all four, at the default sizes
  python -m bench.robustness --scenarios crash --rounds 1 --stations 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.robustness import crash, idle, poison, retransmit
from bench.scale.launch import fd_ceiling

SCENARIOS = ("crash", "retransmit", "poison", "idle")


def _table(title: str, rows: list[dict[str, Any]]) -> str:
    keys = list(rows[0])
    out = [f"\n### {title}\n", "| " + " | ".join(keys) + " |",
           "|" + "|".join("---" for _ in keys) + "|"]
    out += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(out)


async def _main(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    for name in chosen:
        where = workdir / name
        where.mkdir()
        if name == "crash":
            results[name] = [await crash.run(where, args.stations, args.rounds, args.seconds)]
        elif name == "retransmit":
            results[name] = [await retransmit.run(where, args.stations)]
        elif name == "poison":
            results[name] = await poison.run(where, args.stations, args.poison, args.seconds)
        elif name == "idle":
            results[name] = [await idle.run(where, args.sockets, args.addresses, args.hold)]
        else:
            raise SystemExit(f"unknown scenario {name!r}: choose from {', '.join(SCENARIOS)}")
        print(_table(name, results[name]), flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.robustness", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenarios", default=",".join(SCENARIOS))
    p.add_argument("--stations", type=int, default=100, help="stations (honest ones in poison)")
    p.add_argument("--rounds", type=int, default=3, help="crash: kills")
    p.add_argument("--seconds", type=float, default=15.0,
                   help="crash: the longest a round runs before the kill; poison: each run")
    p.add_argument("--poison", type=int, default=10, help="poison: poisoning stations")
    p.add_argument("--sockets", type=int, default=19_000, help="idle: connections opened")
    p.add_argument("--addresses", type=int, default=40, help="idle: source addresses")
    p.add_argument("--hold", type=float, default=15.0,
                   help="idle: seconds to hold them (the server's head timeout is 10 s)")
    p.add_argument("--json", metavar="OUT")
    p.add_argument("--keep", action="store_true", help="keep the temp dir with server logs")
    args = p.parse_args(argv)
    fd_ceiling()
    workdir = Path(tempfile.mkdtemp(prefix="csms-robust-"))
    try:
        results = asyncio.run(_main(args, workdir))
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
