"""Reports over transactions: filtered pages with a total, monthly green statements per
member (id token, token group or site) and a site's energy per interval, for the API and its
CSV exports."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from csms.domain.errors import InvalidInput
from csms.domain.model import Transaction
from csms.domain.tariffs import Cost
from csms.services.billing.costs import CostService
from csms.services.office.ports import OfficeDatabase, TransactionFilter
from csms.services.sites.accounting import AccountingService, IntervalReport

Grouping = Literal["id_token", "group", "site"]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
INTERVALS = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "1d": timedelta(days=1)}


@dataclass
class StatementLine:
    member: str | None
    sessions: int = 0
    energy_wh: float = 0.0
    green_energy_wh: float = 0.0
    costs: dict[str, Decimal] = field(default_factory=dict)

    @property
    def green_share(self) -> float | None:
        return self.green_energy_wh / self.energy_wh if self.energy_wh > 0 else None


@dataclass(frozen=True)
class Statement:
    month: str
    by: Grouping
    start: datetime
    end: datetime
    lines: list[StatementLine]


@dataclass(frozen=True)
class EnergyRow:
    start: datetime
    end: datetime
    load_wh: float
    green_production_wh: float
    green_source: str
    green_used_wh: float

    @property
    def grid_import_wh(self) -> float:
        """What the load took beyond the green it used."""
        return max(0.0, self.load_wh - self.green_used_wh)


def month_range(month: str) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) in UTC."""
    m = _MONTH.match(month)
    if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1970:
        raise InvalidInput(f"'month' is YYYY-MM, not {month[:32]!r}")
    year, mon = int(m.group(1)), int(m.group(2))
    start = datetime(year, mon, 1, tzinfo=UTC)
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=UTC)
    return start, end


class ReportService:
    def __init__(self, db: OfficeDatabase, costs: CostService,
                 accounting: AccountingService) -> None:
        self._db = db
        self._costs = costs
        self._accounting = accounting

    async def transactions(self, f: TransactionFilter, limit: int, offset: int
                           ) -> tuple[list[Transaction], int, dict[int, Cost]]:
        """A page of transactions (newest first), the number of all that match, their costs."""
        if f.start is not None and f.end is not None and f.start >= f.end:
            raise InvalidInput("'from' must be before 'to'")
        found, total = await self._db.read(lambda uow: uow.reports.transactions(f, limit, offset))
        return found, total, await self._costs.of_many(found)

    async def statement(self, month: str, by: Grouping,
                        site_ids: frozenset[str] | None) -> Statement:
        start, end = month_range(month)
        f = TransactionFilter(start=start, end=end, site_ids=site_ids)
        billed = await self._db.read(lambda uow: uow.reports.billed(f))
        costs = await self._costs.of_many([b.tx for b in billed])
        lines: dict[str | None, StatementLine] = {}
        for b in billed:
            key = {"id_token": b.tx.id_token, "group": b.group_id, "site": b.site_id}[by]
            line = lines.setdefault(key, StatementLine(key))
            line.sessions += 1
            line.energy_wh += b.tx.energy_wh
            line.green_energy_wh += b.tx.green_energy_wh
            cost = costs.get(b.tx.pk)
            if cost is not None:
                line.costs[cost.currency] = line.costs.get(cost.currency, Decimal(0)) + cost.total
        ordered = sorted(lines.values(), key=lambda x: (x.member is None, x.member or ""))
        return Statement(month, by, start, end, ordered)

    async def site_energy(self, site_id: str, start: datetime | None, end: datetime | None,
                          interval: str) -> list[EnergyRow]:
        step = INTERVALS.get(interval)
        if step is None:
            raise InvalidInput(f"'interval' is one of {', '.join(INTERVALS)}")
        report = await self._accounting.report(site_id, start, end, detail=True)
        buckets: dict[datetime, list[IntervalReport]] = defaultdict(list)
        origin = report.start
        for i in report.intervals or ():
            index = (i.start - origin) // step
            buckets[origin + index * step].append(i)
        return [_merged(at, min(at + step, report.end), parts)
                for at, parts in sorted(buckets.items())]


def _merged(start: datetime, end: datetime, parts: list[IntervalReport]) -> EnergyRow:
    kinds = {p.green_source for p in parts}
    return EnergyRow(
        start=start, end=end, load_wh=sum(p.energy_wh for p in parts),
        green_production_wh=sum(p.green_available_wh for p in parts),
        green_source=kinds.pop() if len(kinds) == 1 else "mixed",
        green_used_wh=sum(p.green_energy_wh for p in parts))
