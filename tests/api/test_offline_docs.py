"""/docs and /redoc work on a network without internet: every script, style sheet and icon
they load is served by csms itself."""

from __future__ import annotations

import re
from typing import Any

import httpx


async def test_docs_and_redoc_load_only_from_csms(server: Any) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.api_port}") as web:
        for page in ("/docs", "/redoc"):
            r = await web.get(page)
            assert r.status_code == 200 and "text/html" in r.headers["content-type"]
            urls = re.findall(r'(?:src|href)="([^"]+)"|url: *[\'"]([^\'"]+)', r.text)
            loaded = [a or b for a, b in urls]
            assert loaded, r.text
            assert not [u for u in loaded if "://" in u or u.startswith("//")], loaded
            assert "fonts.googleapis" not in r.text and "cdn." not in r.text
            for url in loaded:
                asset = await web.get(url)
                assert asset.status_code == 200, url
                assert len(asset.content) > 40, url
        assert (await web.get("/docs-assets/swagger-ui-bundle.js")).headers[
            "content-type"].startswith(("application/javascript", "text/javascript"))
        assert (await web.get("/docs-assets/../pyproject.toml")).status_code == 404
