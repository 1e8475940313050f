"""The console's page and files, served by the API port without authorization (they hold no
data); the API behind them keeps asking for the bearer token."""

from __future__ import annotations

import httpx

from csms.app import CsmsServer


async def test_page_and_assets_are_served(server: CsmsServer) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.api_port}") as web:
        page = await web.get("/")
        js = await web.get("/console/js/app.js")
        chart = await web.get("/console/vendor/uPlot.esm.js")
        css = await web.get("/console/app.css")
        licences = await web.get("/console/vendor/LICENSES.md")
        api = await web.get("/api/v1/stations")
        doc = (await web.get("/openapi.json")).json()
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/console/js/app.js">' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert chart.status_code == 200 and "export { uPlot as default }" in chart.text
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "1.6.32" in licences.text and "MIT" in licences.text
    assert api.status_code == 401  # the page is public, the data is not
    assert "/" not in doc["paths"]  # the console is not part of the API's description


async def test_missing_files_and_escapes_are_404(server: CsmsServer) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.api_port}") as web:
        for path in ("/console/nope.js", "/console/js/", "/console/%2e%2e/__init__.py",
                     "/console/..%2f..%2fsettings.py", "/console/vendor/%00"):
            reply = await web.get(path)
            assert reply.status_code in (400, 404), (path, reply.status_code)
        assert (await web.post("/")).status_code == 405
