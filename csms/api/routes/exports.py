"""CSV exports (RFC 4180, a header row) and monthly green statements per member."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from csms.api.access import Who
from csms.api.deps import Reports
from csms.api.routes.energy import parse_instant
from csms.api.routes.transactions import Filter
from csms.services.office.statements import Grouping, Statement, StatementLine

router = APIRouter(tags=["exports"])

PAGE = 1000
TX_COLUMNS = ["id", "station_id", "evse_id", "connector_id", "id_token", "started_at",
              "stopped_at", "energy_wh", "green_energy_wh", "cost", "currency", "stop_reason"]
ENERGY_COLUMNS = ["start", "end", "load_kwh", "green_measured_kwh", "green_forecast_kwh",
                  "green_source", "grid_import_kwh", "green_used_kwh"]
STATEMENT_COLUMNS = ["member", "sessions", "energy_kwh", "green_energy_kwh", "green_share",
                     "cost", "currency"]
_CSV = {"description": "RFC 4180 CSV with a header row",
        "content": {"text/csv": {"schema": {"type": "string"}}}}


def _line(values: Sequence[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(
        ["" if v is None else v.isoformat() if isinstance(v, datetime) else v for v in values])
    return out.getvalue()


def _csv(lines: AsyncIterator[str] | Iterable[str], name: str) -> StreamingResponse:
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _kwh(wh: float) -> float:
    return round(wh / 1000, 4)


@router.get("/transactions.csv", response_class=StreamingResponse, responses={200: _CSV})
async def transactions_csv(found: Filter, office: Reports) -> StreamingResponse:
    """The transactions that match the filters of `GET /transactions`, oldest page last."""
    await office.transactions(found, 1, 0)  # bad filters fail before the download starts

    async def rows() -> AsyncIterator[str]:
        yield _line(TX_COLUMNS)
        offset = 0
        while True:
            txs, _total, costs = await office.transactions(found, PAGE, offset)
            for t in txs:
                c = costs.get(t.pk)
                yield _line([t.transaction_id, t.station_id, t.evse_id, t.connector_id,
                             t.id_token, t.started_at, t.stopped_at, t.energy_wh,
                             t.green_energy_wh, c.total if c else None,
                             c.currency if c else None, t.stop_reason])
            if len(txs) < PAGE:
                return
            offset += PAGE

    return _csv(rows(), "transactions.csv")


@router.get("/sites/{site_id}/energy.csv", response_class=StreamingResponse,
            responses={200: _CSV})
async def site_energy_csv(
    site_id: str,
    office: Reports,
    from_: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    to: Annotated[str | None, Query(max_length=64)] = None,
    interval: Annotated[Literal["15m", "1h", "1d"], Query()] = "1h",
) -> StreamingResponse:
    """Per interval, in kWh: the site's load, its green production (measured where there are
    readings, else forecast), the grid import (load beyond the green used) and the green
    energy its sessions used. At most 31 days; default today."""
    found = await office.site_energy(site_id, parse_instant("from", from_),
                                     parse_instant("to", to), interval)
    lines = [_line(ENERGY_COLUMNS)]
    for r in found:
        measured = r.green_source == "measured"
        forecast = r.green_source == "forecast"
        lines.append(_line([
            r.start, r.end, _kwh(r.load_wh),
            _kwh(r.green_production_wh) if measured else None,
            _kwh(r.green_production_wh) if forecast else None,
            r.green_source, _kwh(r.grid_import_wh), _kwh(r.green_used_wh)]))
    return _csv(lines, f"energy-{site_id}.csv")


class StatementLineOut(BaseModel):
    member: str | None = Field(description="the id token, token group or site; null: "
                               "sessions without one")
    sessions: int
    energy_wh: float
    green_energy_wh: float
    green_share: float | None
    cost: float | None = Field(description="in `currency`; null when unpriced or mixed")
    currency: str | None
    costs: dict[str, float] = Field(description="per currency")


class StatementOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    month: str
    by: Grouping
    from_: datetime = Field(alias="from")
    to: datetime
    members: list[StatementLineOut]


def _single(line: StatementLine) -> tuple[Decimal | None, str | None]:
    if len(line.costs) != 1:
        return None, None
    currency, total = next(iter(line.costs.items()))
    return total, currency


def statement_out(s: Statement) -> StatementOut:
    members = []
    for line in s.lines:
        cost, currency = _single(line)
        members.append(StatementLineOut(
            member=line.member, sessions=line.sessions, energy_wh=round(line.energy_wh, 3),
            green_energy_wh=round(line.green_energy_wh, 3),
            green_share=round(line.green_share, 4) if line.green_share is not None else None,
            cost=float(cost) if cost is not None else None, currency=currency,
            costs={k: float(v) for k, v in line.costs.items()}))
    return StatementOut.model_validate({"month": s.month, "by": s.by, "from": s.start,
                                        "to": s.end, "members": members})


Month = Annotated[str, Query(max_length=7, description="YYYY-MM (UTC)")]
By = Annotated[Grouping, Query()]


@router.get("/statements")
async def statements(month: Month, office: Reports, who: Who, by: By = "id_token"
                     ) -> StatementOut:
    """Per member (id token, token group or site) the sessions started in the month, their
    energy, green energy, green share and cost."""
    return statement_out(await office.statement(month, by, who.site_ids))


@router.get("/statements.csv", response_class=StreamingResponse, responses={200: _CSV})
async def statements_csv(month: Month, office: Reports, who: Who, by: By = "id_token"
                         ) -> StreamingResponse:
    s = await office.statement(month, by, who.site_ids)
    lines = [_line(STATEMENT_COLUMNS)]
    for line in s.lines:
        cost, currency = _single(line)
        share = round(line.green_share, 4) if line.green_share is not None else None
        lines.append(_line([line.member, line.sessions, _kwh(line.energy_wh),
                            _kwh(line.green_energy_wh), share, cost, currency]))
    return _csv(lines, f"statement-{s.month}-{s.by}.csv")
