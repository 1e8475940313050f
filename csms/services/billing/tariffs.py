"""Tariffs: one per site, one per id-token group, and at most one default (neither).

A token group exists as soon as an id token carries it (`id_tokens.group_id`); a tariff for a
group no token has, or for a site that does not exist, is refused (422) rather than kept
waiting for a name that may be a typo. Changing or deleting a tariff affects sessions that
start afterwards: a running or past session keeps the prices it was bound to
(csms.services.billing.costs).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any

from csms.clock import Clock
from csms.domain.errors import Conflict, InvalidInput, NotFound
from csms.domain.tariffs import PRICE_FIELDS, Tariff, check_currency, check_price, check_tariff
from csms.services.books import TariffBook
from csms.services.ports import Database, UnitOfWork

_PATCHABLE = frozenset({"name", "currency", "site_id", "group_id", *PRICE_FIELDS})
_NULLABLE = frozenset({"name", "site_id", "group_id"})


def build(fields: dict[str, Any]) -> Tariff:
    """A checked tariff from API fields; `green_price_per_kwh` defaults to `price_per_kwh`."""
    prices = {name: check_price(fields[name], name) for name in PRICE_FIELDS
              if fields.get(name) is not None}
    if "price_per_kwh" not in prices:
        raise InvalidInput("price_per_kwh is required")
    prices.setdefault("green_price_per_kwh", prices["price_per_kwh"])
    return check_tariff(Tariff(
        id=fields.get("id") or uuid.uuid4().hex[:12], name=fields.get("name"),
        currency=check_currency(fields.get("currency")),
        price_per_kwh=prices["price_per_kwh"],
        green_price_per_kwh=prices["green_price_per_kwh"],
        price_per_minute=prices.get("price_per_minute", Decimal(0)),
        session_fee=prices.get("session_fee", Decimal(0)),
        site_id=fields.get("site_id"), group_id=fields.get("group_id")))


def _check_scope(uow: UnitOfWork, t: Tariff) -> None:
    """The site or group exists, and no other tariff already covers the same scope."""
    if t.site_id is not None and uow.sites.get(t.site_id) is None:
        raise InvalidInput(f"site {t.site_id!r} not found")
    if t.group_id is not None and not uow.billing.group_known(t.group_id):
        raise InvalidInput(f"no id token has group {t.group_id!r}")
    if t.group_id is not None:
        other = uow.billing.for_group(t.group_id)
    elif t.site_id is not None:
        other = uow.billing.for_site(t.site_id)
    else:
        other = uow.billing.default()
    if other is not None and other.id != t.id:
        raise Conflict(f"tariff {other.id!r} already applies to this {t.scope}")


class TariffService:
    def __init__(self, db: Database, clock: Clock, book: TariffBook) -> None:
        self._db = db
        self._clock = clock
        self._book = book  # re-read after every change: the hot path binds from it

    async def add(self, fields: dict[str, Any]) -> Tariff:
        now = self._clock.now()
        tariff = replace(build(fields), created_at=now, updated_at=now)

        def work(uow: UnitOfWork) -> None:
            if uow.billing.get(tariff.id) is not None:
                raise Conflict(f"tariff {tariff.id!r} already exists")
            _check_scope(uow, tariff)
            uow.billing.add(tariff)

        await self._db.write(work)
        await self._book.load()
        self._book.changed()
        return tariff

    async def get(self, tariff_id: str) -> Tariff:
        tariff = await self._db.read(lambda uow: uow.billing.get(tariff_id))
        if tariff is None:
            raise NotFound(f"tariff {tariff_id!r} not found")
        return tariff

    async def all(self) -> list[Tariff]:
        return await self._db.read(lambda uow: uow.billing.all())

    async def update(self, tariff_id: str, changes: dict[str, Any]) -> Tariff:
        """Apply a PATCH; `site_id` / `group_id` null unassign (no scope: the default)."""
        unknown = set(changes) - _PATCHABLE
        if unknown:
            raise InvalidInput(f"cannot change {sorted(unknown)}")
        nulls = sorted(k for k, v in changes.items() if v is None and k not in _NULLABLE)
        if nulls:
            raise InvalidInput(f"{', '.join(nulls)} cannot be null")
        now = self._clock.now()

        def work(uow: UnitOfWork) -> Tariff:
            old = uow.billing.get(tariff_id)
            if old is None:
                raise NotFound(f"tariff {tariff_id!r} not found")
            fields = {k: getattr(old, k) for k in ("id", "name", "currency", "site_id",
                                                    "group_id", *PRICE_FIELDS)} | changes
            new = replace(build(fields), created_at=old.created_at, updated_at=now)
            _check_scope(uow, new)
            uow.billing.replace(new)
            return new

        new = await self._db.write(work)
        await self._book.load()
        self._book.changed()
        return new

    async def delete(self, tariff_id: str) -> None:
        def work(uow: UnitOfWork) -> None:
            if not uow.billing.delete(tariff_id):
                raise NotFound(f"tariff {tariff_id!r} not found")

        await self._db.write(work)
        await self._book.load()
        self._book.changed()
