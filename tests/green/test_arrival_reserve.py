"""The server reserves capacity for cars its site's history says are likely to arrive (same
weekday and time of day over the last four weeks) and shows it in GET /sites/{id}/plan, with
the energy those cars will want."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from csms.app import CsmsServer
from csms.domain.model import Transaction
from csms.planning import slot_floor
from csms.services.ports import UnitOfWork


async def test_the_plan_shows_a_reserve_where_cars_came_in_past_weeks(
        server: CsmsServer, api: httpx.AsyncClient) -> None:
    # The plan starts at the server's current slot; near a slot's end it could start at the
    # next one by the time it is asked for, so wait for that slot (at most 30 s, rarely).
    # Before the site exists: a plan made meanwhile would keep its empty history for an hour.
    left = slot_floor(datetime.now(UTC), 15) + timedelta(minutes=15) - datetime.now(UTC)
    if left < timedelta(seconds=30):
        await asyncio.sleep(left.total_seconds() + 0.1)
    r = await api.post("/sites", json={"id": "depot", "name": "Depot", "grid_limit_kw": 50})
    assert r.status_code == 201, r.text
    r = await api.post("/stations", json={"id": "DEP-1", "site_id": "depot"})
    assert r.status_code == 201, r.text
    start = slot_floor(datetime.now(UTC), 15)
    came = start + timedelta(hours=1, minutes=2)  # the 5th slot of the plan

    def history(uow: UnitOfWork) -> None:
        for week in range(1, 5):
            for car in range(2):  # two cars each week, an hour from now
                at = came - timedelta(weeks=week) + timedelta(minutes=car)
                uow.transactions.add(Transaction(
                    pk=0, station_id="DEP-1", transaction_id="", evse_id=1, connector_id=1,
                    id_token=None, started_at=at, stopped_at=at + timedelta(hours=8),
                    energy_wh=40000.0), allocate_id=True)

    await server.db.write(history)
    plan = (await api.get("/sites/depot/plan", params={"refresh": "true"})).json()
    assert plan["start"] is None or plan["start"].startswith(start.strftime("%Y-%m-%dT%H:%M"))
    reserve = plan["reserve_kw"]
    assert len(reserve) >= 6, plan
    assert not any(reserve[:4]), reserve  # nobody came at this time in past weeks
    assert reserve[4] > 0 and reserve[5] >= reserve[4] * 0.9, reserve  # two cars, 5 kW each
    assert reserve[4] <= 2 * 40.0 / 8 + 1e-6, reserve
    arriving = plan["arriving_kwh"]  # what they will want: two cars of 40 kWh, in that slot
    assert not any(arriving[:4]) and arriving[4] == 80.0 and not any(arriving[5:8]), arriving
