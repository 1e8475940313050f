"""`python -m bench.scale.readings`: what storing one MeterValues message costs the writer.

The database writer's share of a meter-values message, without the network or the event
loop: SamplesAdded records of --samples samples each (register, power, then currents and
voltages per phase, as a three-phase AC charger reports them) written through the writer's
own `write_records`, batches of --batch messages in one commit each, into a SQLite database
that already holds --history messages per transaction (an index of realistic depth). Reports
the writer thread's CPU per message (`time.thread_time`) and the rows written per message.

To compare two trees run it from each (`PYTHONPATH=TREE`): it uses only the writer's public
records and the database's migrations.

  python -m bench.scale.readings                          # 3, 6, 12 and 20 samples a message
  python -m bench.scale.readings --samples 12 --transactions 500
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, func, select

from csms.domain.model import Sample, Station, Transaction
from csms.domain.records import SamplesAdded, TransactionInserted
from csms.persistence import engine as engines
from csms.persistence import tables as t
from csms.persistence.database import SqlDatabase
from csms.persistence.migrate import upgrade
from csms.persistence.records import write_records

T0 = datetime(2026, 12, 7, tzinfo=UTC)
TOTALS = ("Energy.Active.Import.Register", "Power.Active.Import", "SoC")
PER_PHASE = ("Current.Import", "Voltage", "Power.Active.Import")


def message(pk: int, i: int, samples: int) -> SamplesAdded:
    at = T0 + timedelta(seconds=30 * i)
    out = []
    for k in range(samples):
        if k < len(TOTALS):
            measurand, phase = TOTALS[k], None
        else:
            j = k - len(TOTALS)
            measurand, phase = PER_PHASE[j // 3 % 3], f"L{j % 3 + 1}"
        value = 1000.0 + i + k
        out.append(Sample(at, measurand, value, "W", value, phase, "Outlet", "Sample.Periodic"))
    return SamplesAdded("B1", 1, 1, pk, tuple(out))


async def _transactions(url: str, count: int) -> None:
    db = SqlDatabase(url)
    await db.start()
    try:
        await db.write(lambda uow: uow.stations.add(Station(id="B1", created_at=T0)))
        await db.append([TransactionInserted(Transaction(
            pk=pk, station_id="B1", transaction_id=str(pk), evse_id=1, connector_id=1,
            id_token="T", started_at=T0)) for pk in range(1, count + 1)])
    finally:
        await db.stop()


def measure(workdir: Path, samples: int, transactions: int, history: int, batches: int,
            batch: int) -> dict[str, float]:
    url = f"sqlite+aiosqlite:///{workdir / f'readings-{samples}.db'}"
    upgrade(url)
    asyncio.run(_transactions(url, transactions))
    engine = engines.create_sync(url)
    pks = range(1, transactions + 1)
    try:
        with engine.connect() as conn:
            for i in range(history):  # the index as deep as a day's readings make it
                with conn.begin():
                    write_records(conn, [message(pk, i, samples) for pk in pks])
            rows_before = _rows(conn)
            load = [[message(1 + (n * batch + k) % transactions, history + n, samples)
                     for k in range(batch)] for n in range(batches)]
            cpu = time.thread_time()
            for recs in load:
                with conn.begin():
                    write_records(conn, recs)
            cpu = time.thread_time() - cpu
            rows = _rows(conn) - rows_before
    finally:
        engine.dispose()
    n = batches * batch
    return {"samples": samples, "us_per_message": 1e6 * cpu / n, "rows_per_message": rows / n}


def _rows(conn: Connection) -> int:
    # a tree from before readings were packed has meter_values instead
    tables = t.metadata.tables
    table = tables["meter_readings" if "meter_readings" in tables else "meter_values"]
    with conn.begin():
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.scale.readings", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--samples", default="3,6,12,20",
                   help="samples per message, comma-separated")
    p.add_argument("--transactions", type=int, default=200)
    p.add_argument("--history", type=int, default=300, help="messages per transaction before")
    p.add_argument("--batches", type=int, default=100)
    p.add_argument("--batch", type=int, default=200, help="messages per commit")
    args = p.parse_args(argv)
    try:
        counts = [int(s) for s in args.samples.split(",")]
    except ValueError:
        raise SystemExit(f"--samples: not a list of numbers: {args.samples!r}") from None
    if min(counts, default=0) < 1 or min(args.transactions, args.batches, args.batch) < 1 \
            or args.history < 0:
        raise SystemExit("--samples, --transactions, --batches and --batch must be positive, "
                         "--history not negative")
    print("| samples / message | writer CPU us / message | rows / message |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for c in counts:
            r = measure(Path(d), c, args.transactions, args.history, args.batches, args.batch)
            print(f"| {c} | {r['us_per_message']:.1f} | {r['rows_per_message']:.2f} |")


if __name__ == "__main__":
    main()
