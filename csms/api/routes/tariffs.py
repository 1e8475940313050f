"""Tariffs: per site, per id-token group (wins over the site), or the default (neither)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from csms.api.billing_schemas import TariffIn, TariffOut, TariffPatch
from csms.api.deps import Tariffs
from csms.domain.tariffs import Tariff

router = APIRouter(tags=["tariffs"])

_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "unknown tariff"},
    409: {"description": "another tariff already applies to that site, group or as default"},
    422: {"description": "invalid prices or currency, unknown site or group, site and group"},
}


def tariff_out(t: Tariff) -> TariffOut:
    return TariffOut(
        id=t.id, name=t.name, currency=t.currency, price_per_kwh=float(t.price_per_kwh),
        green_price_per_kwh=float(t.green_price_per_kwh),
        price_per_minute=float(t.price_per_minute), session_fee=float(t.session_fee),
        site_id=t.site_id, group_id=t.group_id, scope=t.scope,  # type: ignore[arg-type]
        created_at=t.created_at, updated_at=t.updated_at)


@router.post("/tariffs", status_code=201, responses=_RESPONSES)
async def add_tariff(body: TariffIn, tariffs: Tariffs) -> TariffOut:
    return tariff_out(await tariffs.add(body.model_dump()))


@router.get("/tariffs")
async def list_tariffs(tariffs: Tariffs) -> list[TariffOut]:
    return [tariff_out(t) for t in await tariffs.all()]


@router.get("/tariffs/{tariff_id}", responses=_RESPONSES)
async def get_tariff(tariff_id: str, tariffs: Tariffs) -> TariffOut:
    return tariff_out(await tariffs.get(tariff_id))


@router.patch("/tariffs/{tariff_id}", responses=_RESPONSES)
async def patch_tariff(tariff_id: str, body: TariffPatch, tariffs: Tariffs) -> TariffOut:
    return tariff_out(await tariffs.update(tariff_id, body.model_dump(exclude_unset=True)))


@router.delete("/tariffs/{tariff_id}", status_code=204, responses=_RESPONSES)
async def delete_tariff(tariff_id: str, tariffs: Tariffs) -> Response:
    """Sessions already priced with it keep their prices."""
    await tariffs.delete(tariff_id)
    return Response(status_code=204)
