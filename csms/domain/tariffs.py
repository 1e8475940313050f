"""Tariffs and the cost of a charging session: pure `Decimal` arithmetic, stdlib only.

A tariff prices a session with four parts, any of which may be zero:
- a flat `session_fee`;
- `price_per_minute` of session time (plug-in to plug-out, counted to the second);
- `price_per_kwh` of grid energy;
- `green_price_per_kwh` of green energy (the co-operative's point: green is cheaper for
  members), so energy costs `(energy - green) x price_per_kwh + green x green_price_per_kwh`.

Money is rounded per line to the currency's minor unit (ISO 4217; two decimals unless listed
in `_MINOR_UNITS`), half up, and the total is the sum of the rounded lines: what a driver sees
on a receipt adds up.

Which tariff applies (`pick`): the driver's id-token group's, else the site's, else the
default tariff (one with neither), else none (the session is not priced).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from csms.domain.errors import InvalidInput

MAX_PRICE = Decimal("1000000")
PRICE_PLACES = 6  # prices are kept to 1e-6 of a currency unit
# Currencies whose minor unit is not the cent (ISO 4217); the rest round to two decimals.
_MINOR_UNITS = {"BHD": 3, "CLP": 0, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3,
                "OMR": 3, "TND": 3, "UGX": 0, "VND": 0, "XAF": 0, "XOF": 0}
PRICE_FIELDS = ("price_per_kwh", "green_price_per_kwh", "price_per_minute", "session_fee")


@dataclass(frozen=True, slots=True)
class Tariff:
    """A price list. With `group_id` it applies to that id-token group, with `site_id` to the
    site's stations, with neither it is the default tariff."""

    id: str
    currency: str
    price_per_kwh: Decimal
    green_price_per_kwh: Decimal
    price_per_minute: Decimal = Decimal(0)
    session_fee: Decimal = Decimal(0)
    name: str | None = None
    site_id: str | None = None
    group_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def scope(self) -> str:
        return "group" if self.group_id else "site" if self.site_id else "default"


@dataclass(frozen=True, slots=True)
class CostLine:
    quantity: Decimal  # kWh, minutes, or 1 session
    unit_price: Decimal
    amount: Decimal  # rounded to the currency's minor unit


@dataclass(frozen=True, slots=True)
class Cost:
    tariff_id: str
    currency: str
    total: Decimal
    session: CostLine
    time: CostLine
    energy: CostLine  # grid (non-green) energy
    green_energy: CostLine

    def breakdown(self) -> dict[str, Any]:
        """JSON-ready lines (numbers), for the API."""
        def line(c: CostLine, unit: str) -> dict[str, Any]:
            return {unit: float(round(c.quantity, 4)), "unit_price": float(c.unit_price),
                    "amount": float(c.amount)}

        return {"tariff_id": self.tariff_id, "session_fee": float(self.session.amount),
                "time": line(self.time, "minutes"), "energy": line(self.energy, "kwh"),
                "green_energy": line(self.green_energy, "kwh")}


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`: Decimal('0.01') for EUR."""
    return Decimal(1).scaleb(-_MINOR_UNITS.get(currency, 2))


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def check_currency(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 3 or not value.isascii() \
            or not value.isalpha() or not value.isupper():
        raise InvalidInput("currency must be an ISO 4217 code: three capital letters")
    return value


def check_price(value: Any, name: str) -> Decimal:
    """A price from a number or a decimal string: 0 or more, at most 1e6, 6 decimals kept."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidInput(f"{name} must be a number")
    try:
        price = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation as e:
        raise InvalidInput(f"{name} must be a number") from e
    if not price.is_finite() or price < 0 or price > MAX_PRICE:
        raise InvalidInput(f"{name} must be between 0 and {MAX_PRICE}")
    if price.as_tuple().exponent < -PRICE_PLACES:  # type: ignore[operator]
        raise InvalidInput(f"{name} has more than {PRICE_PLACES} decimals")
    return price.normalize() if price != 0 else Decimal(0)


def check_tariff(t: Tariff) -> Tariff:
    """Every rule a stored tariff obeys; InvalidInput (422) for each breach."""
    check_currency(t.currency)
    for name in PRICE_FIELDS:
        check_price(getattr(t, name), name)
    if t.green_price_per_kwh > t.price_per_kwh:
        raise InvalidInput("green_price_per_kwh must not exceed price_per_kwh: "
                           "green energy is the cheaper kind")
    if t.site_id is not None and t.group_id is not None:
        raise InvalidInput("a tariff applies to a site or to a token group, not both")
    return t


def pick(by_group: Tariff | None, by_site: Tariff | None, default: Tariff | None
         ) -> Tariff | None:
    """The group's tariff wins over the site's, which wins over the default."""
    return by_group or by_site or default


def _kwh(wh: float) -> Decimal:
    return Decimal(repr(max(0.0, float(wh)))) / 1000


def cost(tariff: Tariff, energy_wh: float, green_wh: float, seconds: float) -> Cost:
    """The cost of a session that took `energy_wh` (of it `green_wh` green) over `seconds`.

    Green energy is capped by the energy (accounting may lag a meter correction), negative
    inputs count as zero."""
    cur = tariff.currency
    energy = _kwh(energy_wh)
    green = min(_kwh(green_wh), energy)
    minutes = Decimal(repr(max(0.0, float(seconds)))) / 60

    def line(quantity: Decimal, price: Decimal) -> CostLine:
        return CostLine(quantity, price, round_money(quantity * price, cur))

    session = line(Decimal(1), tariff.session_fee)
    time = line(minutes, tariff.price_per_minute)
    grid = line(energy - green, tariff.price_per_kwh)
    greens = line(green, tariff.green_price_per_kwh)
    total = session.amount + time.amount + grid.amount + greens.amount
    return Cost(tariff.id, cur, round_money(total, cur), session, time, grid, greens)
