"""The web console: a single-page app of static files (HTML, CSS, JavaScript modules and the
vendored chart library) that works only through the public HTTP API. Nothing here runs in
Python; the API serves the files (csms.api.console)."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
