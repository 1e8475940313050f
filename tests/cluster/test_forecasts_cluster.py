"""Two nodes that fetch forecasts from a weather provider: the node that plans a site (its
planning lease) fetches for it, once per round, whichever node the change came through."""

from __future__ import annotations

import asyncio

from tests.cluster.support import Cluster, until
from tests.green.test_forecast import SITE
from tests.weather_server import weather_server


async def test_only_the_node_that_plans_a_site_fetches_its_forecasts(cluster: Cluster) -> None:
    with weather_server() as weather:
        env = {"CSMS_FORECAST_PROVIDER": "open-meteo", "CSMS_FORECAST_PROVIDER_URL": weather.url}
        a = await cluster.node("node-a", **env)
        b = await cluster.node("node-b", **env)
        async with a.api() as api_a, b.api() as api_b:
            assert (await api_a.post("/sites", json=SITE)).status_code == 201
            r = await api_a.post("/sites/sofia/sources", json={"id": "roof", "peak_kw": 40})
            assert r.status_code == 201, r.text

            async def fetched() -> bool:  # both nodes answer with what the holder stored
                r = await api_b.get("/sites/sofia/sources/roof/forecast")
                return r.status_code == 200 and r.json()["origin"] == "open-meteo"

            await until(fetched, "the provider's forecast, read through the other node")
            # a change through the other node: both nodes hear of it, one asks
            r = await api_b.patch("/sites/sofia", json={"name": "Sofia"})
            assert r.status_code == 200
            async def asked_again() -> bool:
                return len(weather.queries) >= 2

            await until(asked_again, "the provider asked again")
            await asyncio.sleep(2.0)  # time enough for a second node's request, were there one
            # both nodes say how the last fetch went, whichever made it
            for api in (api_a, api_b):
                [source] = (await api.get("/sites/sofia/sources")).json()
                assert source["forecast_fetch"]["ok"] is True
                assert source["forecast_fetch"]["provider"] == "open-meteo"
        assert len(weather.queries) == 2
        holder = await cluster.lease_holder("sofia")
        assert holder in (a.name, b.name)
