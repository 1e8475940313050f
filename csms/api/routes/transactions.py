"""Transactions with their energy; `id` is the station's transaction id, a string."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from csms.api.access import Who
from csms.api.deps import Costs, Reports, Transactions
from csms.api.routes.energy import parse_instant
from csms.api.schemas import CostOut, SampleOut, TransactionOut
from csms.domain.model import Transaction
from csms.domain.tariffs import Cost
from csms.services.office.ports import TransactionFilter

router = APIRouter(tags=["transactions"])


def tx_out(tx: Transaction, cost: Cost | None = None) -> TransactionOut:
    return TransactionOut(
        id=tx.transaction_id, station_id=tx.station_id, evse_id=tx.evse_id,
        connector_id=tx.connector_id, id_token=tx.id_token, started_at=tx.started_at,
        stopped_at=tx.stopped_at, meter_start_wh=(
            tx.meter_start_wh if tx.meter_start_wh is not None else tx.first_register_wh),
        meter_stop_wh=tx.meter_stop_wh, energy_wh=tx.energy_wh,
        green_energy_wh=tx.green_energy_wh, stop_reason=tx.stop_reason,
        active=tx.active, offline=tx.offline, cost=cost_out(tx, cost),
    )


def cost_out(tx: Transaction, cost: Cost | None) -> CostOut | None:
    """Tariffs and cost."""
    if cost is None:
        return None
    return CostOut(total=float(cost.total), currency=cost.currency, final=not tx.active,
                   breakdown=cost.breakdown())


MAX_OFFSET = 2**31 - 1


def transaction_filter(
    who: Who,
    station_id: Annotated[str | None, Query(max_length=48)] = None,
    active: bool | None = None,
    site_id: Annotated[str | None, Query(max_length=64)] = None,
    id_token: Annotated[str | None, Query(max_length=64)] = None,
    from_: Annotated[str | None, Query(alias="from", max_length=64,
                                       description="started at or after (ISO 8601 with zone)")]
    = None,
    to: Annotated[str | None, Query(max_length=64,
                                    description="started before (ISO 8601 with zone)")] = None,
) -> TransactionFilter:
    """The filters of the transaction list and its CSV; a scoped reader's sites bound both."""
    return TransactionFilter(station_id=station_id, active=active, site_id=site_id,
                             id_token=id_token, start=parse_instant("from", from_),
                             end=parse_instant("to", to), site_ids=who.site_ids)


Filter = Annotated[TransactionFilter, Depends(transaction_filter)]


@router.get("/transactions")
async def list_transactions(
    response: Response,
    found: Filter,
    office: Reports,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[TransactionOut]:
    """Newest first; `X-Total-Count` holds the number of all that match the filters."""
    txs, total, costs = await office.transactions(found, limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return [tx_out(t, costs.get(t.pk)) for t in txs]


# Before the detail route: a 2.0.1 transaction id may contain '/'.
@router.get("/transactions/{transaction_id:path}/meter-values")
async def transaction_meter_values(
    transaction_id: str, transactions: Transactions, station_id: str | None = None
) -> list[SampleOut]:
    return [
        SampleOut(timestamp=s.timestamp, measurand=s.measurand, value=s.value, unit=s.unit,
                  si_value=s.si_value, phase=s.phase, location=s.location, context=s.context)
        for s in await transactions.samples(transaction_id, station_id)
    ]


@router.get("/transactions/{transaction_id:path}")
async def get_transaction(
    transaction_id: str, transactions: Transactions, costs: Costs, station_id: str | None = None
) -> TransactionOut:
    """`station_id` picks among stations that use the same id (ids are unique per station)."""
    tx = await transactions.get(transaction_id, station_id)
    return tx_out(tx, await costs.of(tx))
