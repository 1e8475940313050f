"""What `csms serve` prints once it listens: where the endpoints are, how to sign in, and a
warning for each development setting left on, so that an operator sees them at a glance."""

from __future__ import annotations

from csms.settings import Settings


def startup_banner(settings: Settings, *, ocpp_port: int, ocpp_tls_port: int | None,
                   api_port: int, generated_admin_token: str | None) -> str:
    s = settings
    host = "127.0.0.1" if s.api_host in ("0.0.0.0", "::") else s.api_host
    ocpp_host = "127.0.0.1" if s.ocpp_host in ("0.0.0.0", "::") else s.ocpp_host
    lines = [
        f"csms is running (database {redact(s.database_url)})",
        f"  OCPP endpoint : ws://{ocpp_host}:{ocpp_port}/ocpp/{{station_id}}"
        "  (subprotocols ocpp1.6, ocpp2.0.1)",
    ]
    if ocpp_tls_port is not None:
        lines.append(f"  OCPP over TLS : wss://{ocpp_host}:{ocpp_tls_port}/ocpp/{{id}}")
    lines += [
        f"  HTTP API      : http://{host}:{api_port}/api/v1",
        f"  API docs      : http://{host}:{api_port}/docs",
    ]
    if generated_admin_token:
        lines.append(f"  admin token   : {generated_admin_token}"
                     "   (generated now and shown only once: keep it)")
    elif s.admin_token:
        lines.append("  admin token   : the value of CSMS_ADMIN_TOKEN")
    else:
        lines.append("  admin token   : generated on first start (run "
                     "`csms admin-token --rotate` for a new one)")
    lines.append(
        f"  forecasts     : fetched from {s.forecast_provider} every "
        f"{s.forecast_fetch_interval_s / 60:g} min" if s.forecast_provider != "none" else
        "  forecasts     : none fetched (clear sky x season, or PUT .../forecast; "
        "CSMS_FORECAST_PROVIDER=open-meteo fetches them)")
    if s.unknown_stations == "accept":
        lines.append("  WARNING: unknown stations are ACCEPTED and registered on first "
                     "connect (development mode; CSMS_UNKNOWN_STATIONS=reject for production)")
    if s.unknown_id_tokens == "accept":
        lines.append("  WARNING: unknown id tokens are AUTHORIZED (development mode; "
                     "CSMS_UNKNOWN_ID_TOKENS=reject for production)")
    return "\n".join(lines)


def redact(url: str) -> str:
    """Hide a password in a database URL."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, creds = head.partition("//")
    return f"{scheme}//{creds.split(':', 1)[0]}:***@{tail}"
