"""Open-Meteo's 15-minute irradiance on a source's plane, as the kW it can expect.

Open-Meteo (open-meteo.com) needs no key and gives the global irradiance on a tilted plane
(`global_tilted_irradiance`) every 15 minutes for days ahead, from the weather models that
cover the site. Its conventions, which the rest of csms does not share:
- a radiation value at time t is the mean over the 15 minutes *before* t;
- azimuth 0 is south, -90 east, 90 west (pvlib and csms: 180 south, 90 east);
- `null` where a model has no value.
The irradiance becomes kW as the clear sky's does (`solar.array_kw`), so the planner's
correction compares like with like; sources of one plane share one answer. `query` and
`parse` do no I/O; `fetch` is the one call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from csms.planning import solar

NAME = "open-meteo"
URL = "https://api.open-meteo.com/v1/forecast"
VARIABLE = "global_tilted_irradiance"
FORECAST_DAYS = 2  # today and tomorrow: the planner's horizon
# and yesterday from its UTC midnight: a site east of Greenwich starts its local day before
# today's UTC midnight, and the correction reads the site's whole local day
PAST_DAYS = 1
MAX_DAYS = 7  # what csms keeps of a forecast (as through the API)
MAX_BODY_BYTES = 2_000_000  # two days of 15-minute values are about 10 kB
TIMEOUT_S = 20.0


class ProviderError(Exception):
    """No usable forecast: the provider could not be reached, refused, or answered nonsense.
    The message says which, in words an operator can act on."""


class Unreachable(ProviderError):
    """No answer at all (no route, refused, timed out): the next source will fare no better."""


@dataclass(frozen=True)
class Plane:
    """Where the provider is asked about: a place and a panel's orientation (csms's terms:
    azimuth 180 = south). Sources that share one share the answer."""

    latitude: float
    longitude: float
    tilt_deg: float
    azimuth_deg: float


@dataclass(frozen=True)
class Irradiance:
    """The forecast irradiance on a plane: `w_m2[i]` is the mean over the slot from
    `start + i * slot_minutes`."""

    start: datetime
    slot_minutes: int
    w_m2: tuple[float, ...]

    def kw(self, array: solar.PvArray) -> tuple[float, ...]:
        """What `array` (of this plane) can expect per slot, reckoned as the clear sky is."""
        return tuple(round(float(v), 3) for v in solar.array_kw(self.w_m2, array))


class _Series(BaseModel):
    model_config = ConfigDict(extra="ignore")
    time: list[int]
    global_tilted_irradiance: list[float | None]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    minutely_15: _Series


def query(plane: Plane, key: str | None = None) -> dict[str, str]:
    """The request's parameters for one plane (each orientation is its own request). `key`:
    the API key of a commercial subscription (its own URL, customer-api.open-meteo.com)."""
    return {
        "latitude": f"{plane.latitude:.4f}", "longitude": f"{plane.longitude:.4f}",
        "minutely_15": VARIABLE, "tilt": f"{plane.tilt_deg:g}",
        "azimuth": f"{(plane.azimuth_deg % 360.0) - 180.0:g}",
        "timeformat": "unixtime", "timezone": "GMT", "forecast_days": str(FORECAST_DAYS),
        "past_days": str(PAST_DAYS), **({"apikey": key} if key else {}),
    }


def parse(body: bytes) -> Irradiance:
    """The plane's irradiance from Open-Meteo's answer; ProviderError when there is none."""
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as e:
        raise ProviderError(f"the answer is not JSON ({e})") from None
    if isinstance(raw, dict) and raw.get("error"):
        raise ProviderError(f"the provider refused: {raw.get('reason', 'no reason given')}")
    try:
        series = _Answer.model_validate(raw).minutely_15
    except ValidationError as e:
        raise ProviderError(f"unexpected answer: {_first_error(e)}") from None
    times, values = series.time, series.global_tilted_irradiance
    if len(times) != len(values):
        raise ProviderError(f"{len(times)} times but {len(values)} values")
    # nulls at either end (a model's horizon) are cut; one within is a gap nothing fills
    known = [i for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        raise ProviderError("no irradiance in the answer")
    first, last = known[0], known[-1]
    times, kept = times[first:last + 1], values[first:last + 1]
    steps = {b - a for a, b in zip(times, times[1:], strict=False)}
    if len(steps) != 1 or (step := steps.pop()) <= 0 or step % 60 or 3600 % step:
        raise ProviderError("the times are not evenly spaced in minutes dividing an hour")
    irradiance = []
    for i, v in enumerate(kept):
        if v is None or not math.isfinite(v):
            raise ProviderError(f"no value at {_at(times[i]).isoformat()}")
        irradiance.append(max(v, 0.0))  # a model's small negative values at night
    if max(irradiance) > 2000.0:  # above the solar constant: not W/m²
        raise ProviderError(f"irradiance of {max(irradiance):g} W/m² is not a sun's")
    return Irradiance(start=_at(times[0] - step), slot_minutes=step // 60,
                      w_m2=tuple(irradiance[:MAX_DAYS * 24 * 3600 // step]))


async def fetch(client: httpx.AsyncClient, url: str, plane: Plane,
                key: str | None = None) -> Irradiance:
    """Ask `url` (Open-Meteo's forecast API, or a mirror of it) for the plane's irradiance.
    The key never appears in what is raised (it ends in the log)."""
    try:
        return await _fetch(client, url, query(plane, key))
    except ProviderError as e:
        raise type(e)(str(e).replace(key, "***") if key else str(e)) from None


async def _fetch(client: httpx.AsyncClient, url: str, params: dict[str, str]) -> Irradiance:
    try:
        async with client.stream("GET", url, params=params, timeout=TIMEOUT_S) as reply:
            body = b""
            async for chunk in reply.aiter_bytes():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    raise ProviderError(f"the answer is larger than {MAX_BODY_BYTES} bytes")
    except httpx.TransportError as e:  # no answer, or none in time
        raise Unreachable(f"could not reach {url}: {e!r}") from None
    except (httpx.HTTPError, httpx.InvalidURL) as e:
        raise ProviderError(f"no answer from {url}: {e!r}") from None
    if reply.status_code != 200:
        reason = ""
        try:
            found = orjson.loads(body)
            reason = f": {found.get('reason')}" if isinstance(found, dict) else ""
        except orjson.JSONDecodeError:
            pass
        raise ProviderError(f"{url} answered HTTP {reply.status_code}{reason}")
    return parse(body)


def _at(unix_s: int) -> datetime:
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=unix_s)
    except OverflowError:
        raise ProviderError(f"time {unix_s} is out of range") from None


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc']) or 'the body'}: {err['msg']}"
