"""A stand-in for Open-Meteo's forecast API on an ephemeral port, for tests.

By default it answers as Open-Meteo documents it: `minutely_15.global_tilted_irradiance` for
the plane asked for (its azimuth 0 = south), each value the mean of the 15 minutes before its
time, from today's UTC midnight for `forecast_days`. The irradiance is `cloud` times the clear
sky's, computed here with pvlib through `solar.clear_sky_kw` for the plane the request names, so
that a request for the wrong plane or a misread time convention gives other kW. `answer` (a
status and body) replaces it, to feed csms a provider's errors and nonsense.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from csms.planning import solar
from tests.file_server import serving


@dataclass
class Weather:
    port: int = 0
    cloud: float = 0.6
    answer: tuple[int, bytes] | None = None
    queries: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/forecast"

    def tilted_irradiance(self, q: dict[str, str]) -> dict[str, object]:
        start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        slots = 96 * int(q["forecast_days"])
        plane = solar.PvArray(1.0, float(q["tilt"]), float(q["azimuth"]) + 180.0)
        kw = solar.clear_sky_kw(float(q["latitude"]), float(q["longitude"]), [plane], start,
                                slots).on_site_kw
        ends = [int((start + timedelta(minutes=15 * (i + 1))).timestamp()) for i in range(slots)]
        return {"latitude": float(q["latitude"]), "longitude": float(q["longitude"]),
                "utc_offset_seconds": 0, "timezone": "GMT",
                "minutely_15_units": {"time": "unixtime", "global_tilted_irradiance": "W/m²"},
                "minutely_15": {"time": ends, "global_tilted_irradiance": [
                    round(self.cloud * v / solar.DERATE * 1000.0, 1) for v in kw]}}


@contextmanager
def weather_server() -> Iterator[Weather]:
    state = Weather()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = dict(parse_qsl(url.query))
            state.queries.append(q)
            if state.answer is not None:
                status, body = state.answer
            elif url.path != "/v1/forecast":
                status, body = 404, b'{"error": true, "reason": "Not Found"}'
            else:
                status, body = 200, json.dumps(state.tilted_irradiance(q)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as state.port:
        yield state
