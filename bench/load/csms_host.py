"""`csms serve` with the database writer's batch statistics, for the load benchmark.

`python -m bench.load.csms_host --stats-file F [--cprofile OUT] -- serve ...` runs exactly the
`csms` command line (`csms.cli.main`), with `csms.app.SqlDatabase` swapped for a subclass that
counts every committed batch (size and commit time) and writes the totals to F twice a second.
csms itself is not changed. With `--cprofile`, the event-loop thread is profiled with cProfile
and the stats are dumped to OUT when the server stops (adds about 2x overhead).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import threading
import time
from collections import Counter
from typing import Any

_stats: dict[str, Any] = {"batches": 0, "writes": 0, "commit_s": 0.0, "max_commit_s": 0.0,
                          "max_batch": 0}
_sizes: Counter[int] = Counter()


def _install_counting_database() -> bool:
    """Make csms.app build a SqlDatabase that records its batches; False if it cannot."""
    import csms.app as app
    from csms.persistence.database import SqlDatabase

    if not hasattr(SqlDatabase, "_commit"):
        return False

    class CountingDatabase(SqlDatabase):
        async def _commit(self, batch: list[Any]) -> Any:
            t0 = time.perf_counter()
            done = await super()._commit(batch)
            elapsed = time.perf_counter() - t0
            _stats["batches"] += 1
            _stats["writes"] += len(batch)
            _stats["commit_s"] += elapsed
            _stats["max_commit_s"] = max(_stats["max_commit_s"], elapsed)
            _stats["max_batch"] = max(_stats["max_batch"], len(batch))
            _sizes[len(batch)] += 1
            return done

    setattr(app, "SqlDatabase", CountingDatabase)  # noqa: B010 (csms.app does not re-export it)
    return True


def _dump(path: str) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump({**_stats, "sizes": dict(_sizes)}, f)
    os.replace(tmp, path)


def _dumper(path: str, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        with contextlib.suppress(RuntimeError, OSError):  # dict changed size mid-copy
            _dump(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.load.csms_host", description=__doc__)
    p.add_argument("--stats-file", required=True)
    p.add_argument("--cprofile", default=None)
    p.add_argument("csms_args", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    csms_args = [a for a in args.csms_args if a != "--"] or ["serve"]

    from csms import cli

    _install_counting_database()
    stop = threading.Event()
    dumper = threading.Thread(target=_dumper, args=(args.stats_file, stop), daemon=True)
    dumper.start()
    profiler = cProfile.Profile() if args.cprofile else None
    try:
        if profiler is not None:
            profiler.enable()
        return cli.main(csms_args)
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.cprofile)
        stop.set()
        dumper.join(timeout=2)
        with contextlib.suppress(RuntimeError, OSError):
            _dump(args.stats_file)


if __name__ == "__main__":
    raise SystemExit(main())
