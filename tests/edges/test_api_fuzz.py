"""schemathesis against /openapi.json on a real server: no request may get a 5xx, and every
status a route answers is declared in the document.

Bounded and deterministic: a fixed number of examples per operation (valid and invalid input),
derandomized, no example database; as the admin (most of the API is reachable), then as a
viewer and without a token (403 and 401 must be declared too). The server runs in a thread
with its own event loop, since schemathesis calls it synchronously.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from csms.app import CsmsServer
from tests.conftest import make_settings
from tests.helpers import ADMIN_TOKEN

EXAMPLES = int(os.environ.get("CSMS_FUZZ_EXAMPLES", "25"))
# long-lived or session-ending routes: the event stream never ends; logout would end the token
SKIP = {("GET", "/api/v1/events"), ("POST", "/api/v1/auth/logout")}


@dataclass
class Findings:
    server_errors: list[str] = field(default_factory=list)
    undeclared: dict[str, set[int]] = field(default_factory=dict)
    operations: int = 0


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CsmsServer]:
    path = tmp_path_factory.mktemp("fuzz")
    server = CsmsServer(make_settings(f"sqlite+aiosqlite:///{path}/csms.db",
                                      upload_dir=str(path / "uploads")))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fuzzed-server", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(60)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def _exercise(op: Any, base: str, headers: dict[str, str], examples: int,
              found: Findings) -> None:
    declared = {str(code) for code in op.definition.raw.get("responses", {})}
    name = f"{op.method.upper()} {op.path}"

    @given(case=op.as_strategy(GenerationMode.POSITIVE) | op.as_strategy(GenerationMode.NEGATIVE))
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def exercise(case: Any) -> None:
        response = case.call(base_url=base, headers=headers, timeout=15)
        code = response.status_code
        if code >= 500:
            found.server_errors.append(f"{name} -> {code}: {case.as_curl_command()} "
                                       f"{response.text[:200]}")
        elif str(code) not in declared:
            found.undeclared.setdefault(name, set()).add(code)

    exercise()


def _fuzz(server: CsmsServer, headers: dict[str, str], examples: int) -> Findings:
    base = f"http://127.0.0.1:{server.api_port}"
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    found = Findings()
    for result in schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) not in SKIP:
            found.operations += 1
            _exercise(op, base, headers, examples, found)
    return found


def _viewer_token(server: CsmsServer) -> str:
    r = httpx.post(f"http://127.0.0.1:{server.api_port}/api/v1/api-tokens",
                   headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
                   json={"name": "fuzz-viewer", "role": "viewer"}, timeout=15)
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


@pytest.mark.timeout(900)
@pytest.mark.parametrize("who", ["admin", "viewer", "anonymous"])
def test_no_server_errors_and_every_status_declared(live_server: CsmsServer, who: str) -> None:
    headers, examples = {"admin": ({"Authorization": f"Bearer {ADMIN_TOKEN}"}, EXAMPLES),
                         "viewer": ({"Authorization": f"Bearer {_viewer_token(live_server)}"},
                                    max(1, EXAMPLES // 5)),
                         "anonymous": ({}, max(1, EXAMPLES // 10))}[who]
    found = _fuzz(live_server, headers, examples)
    assert found.operations > 50
    assert not found.server_errors, "\n".join(found.server_errors)
    assert not found.undeclared, "\n".join(
        f"{k}: {sorted(v)}" for k, v in sorted(found.undeclared.items()))
