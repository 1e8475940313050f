"""hypothesis against the OCPP endpoint of a real server, in both versions: random JSON and
mutations of the valid frames of tests/payloads (a field dropped or given another type, huge or
negative numbers, long strings, deep nesting, unknown or wrong-version actions, wrong message
type ids, wrong arity, unreadable message ids) sent over a real websocket.

Every frame the spec says to answer gets exactly one CALLRESULT or CALLERROR with a code of
that version's spec (never InternalError, which would mean a handler crashed), the connection
stays open, nothing is logged as an error by the server, and afterwards an honest station
still boots and beats. Bounded and deterministic: derandomized, no example database, a fixed
number of examples (CSMS_OCPP_FUZZ_EXAMPLES); the server runs in a thread with its own event
loop, since hypothesis drives the test synchronously.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from csms.app import CsmsServer
from tests.conftest import make_settings
from tests.helpers import BOOT_16, BOOT_201

# per action and version (39 of them); four times as many arbitrary frames per version
EXAMPLES = int(os.environ.get("CSMS_OCPP_FUZZ_EXAMPLES", "40"))
PAYLOADS = Path(__file__).parent.parent / "payloads"
VERSIONS = {"ocpp1.6": "v16", "ocpp2.0.1": "v201"}
BOOTS = {"ocpp1.6": BOOT_16, "ocpp2.0.1": BOOT_201}
# OCPP-J 1.6 §4.2.3 and 2.0.1 Part 4 §4.3 (1.6 spells two of them its own way); InternalError
# is left out on purpose: csms answers it only when a handler crashed.
SPEC_CODES = {
    "ocpp1.6": {"NotImplemented", "NotSupported", "ProtocolError", "SecurityError",
                "FormationViolation", "PropertyConstraintViolation",
                "OccurenceConstraintViolation", "TypeConstraintViolation", "GenericError"},
    "ocpp2.0.1": {"FormatViolation", "GenericError", "MessageTypeNotSupported",
                  "NotImplemented", "NotSupported", "OccurrenceConstraintViolation",
                  "PropertyConstraintViolation", "ProtocolError", "RpcFrameworkError",
                  "SecurityError", "TypeConstraintViolation"},
}
# Actions a station never sends (CSMS -> station), and the other version's actions.
FOREIGN = ["Reset", "RemoteStartTransaction", "RequestStartTransaction", "SetChargingProfile",
           "GetVariables", "ChangeConfiguration", "StartTransaction", "TransactionEvent",
           "NotifyReport", "DiagnosticsStatusNotification", "", "heartbeat", "Heartbeat "]


def seeds(protocol: str) -> list[tuple[str, dict[str, Any]]]:
    """(action, payload) of every hand-written frame of the version."""
    out = []
    for path in sorted((PAYLOADS / VERSIONS[protocol]).glob("*.json")):
        frame = json.loads(path.read_text())["frame"]
        out.append((frame[2], frame[3]))
    return out


# --- strategies ---------------------------------------------------------------------------

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats() | st.text(max_size=40))
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
extremes = st.sampled_from([-1, 0, -(2**31) - 1, -(2**31), 2**31 - 1, 2**31, 2**53 + 1,
                            2**63, -(2**63) - 1, 10**30, -(10**30), -1.5, 1e308, -1e308,
                            5e-324, -0.0])
odd_values = st.one_of(
    extremes,
    st.integers(),  # any size, either sign
    st.sampled_from(["", " ", "0", "true", "2026-13-45T25:61:00Z", "NaN", [], {}, None, True]),
    json_values,
    st.integers(min_value=300, max_value=100_000).map(lambda n: "é" * n),  # long strings
    st.integers(min_value=5, max_value=200).map(lambda n: _nested(n)),
)


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key/index path into a payload."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.append((*prefix, k))
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.append((*prefix, i))
            out.extend(_paths(v, (*prefix, i)))
    return out


def _at(payload: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        payload = payload[step]
    return payload


def _mutate(payload: Any, path: tuple[Any, ...], how: str, new: Any) -> Any:
    """A copy of `payload` with the thing at `path` dropped, replaced or given a sibling."""
    copy = json.loads(json.dumps(payload))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "drop":
        del parent[last]
    elif how == "extra" and isinstance(parent, dict):
        parent[f"{last}Extra"] = new
    else:
        parent[last] = new
    return copy


# a replacement of the same JSON type passes the type check more often and reaches the handler
same_type_numbers = st.one_of(extremes, st.integers(min_value=-(2**31), max_value=2**31 - 1),
                              st.integers(), st.floats())
same_type_strings = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "NaN", "2026-13-45T25:61:00Z", "1970-01-01T00:00:00Z",
                     "9999-12-31T23:59:59.999999999+14:00", "Wh", "kWh", "\u0000"]),
    st.text(max_size=60),
    st.integers(min_value=21, max_value=100_000).map(lambda n: "é" * n),
)


@st.composite
def mutated_payload(draw: st.DrawFn, seed: dict[str, Any]) -> Any:
    paths = _paths(seed)
    if not paths or draw(st.integers(0, 9)) == 0:
        return draw(odd_values)  # the whole payload replaced (a list, a string, ...)
    value = seed
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        path = draw(st.sampled_from(_paths(value) or [()]))
        if not path:
            break
        how = draw(st.sampled_from(["drop", "replace", "replace", "replace", "extra"]))
        old = _at(value, path)
        new_values = odd_values
        if draw(st.integers(0, 3)):  # mostly of the same type
            if isinstance(old, int | float) and not isinstance(old, bool):
                new_values = same_type_numbers
            elif isinstance(old, str):
                new_values = same_type_strings
        value = _mutate(value, path, how, draw(new_values))
    return value


uids = itertools.count()


@st.composite
def calls(draw: st.DrawFn, protocol: str, action: str) -> Any:
    """A CALL built from one of the action's valid frames, mostly with a mutated payload."""
    payload = draw(st.sampled_from([p for a, p in seeds(protocol) if a == action]))
    uid = f"fuzz-{next(uids)}"
    kind = draw(st.integers(0, 9))
    if kind <= 6:
        return [2, uid, action, draw(mutated_payload(payload))]
    if kind == 7:  # another action for this payload
        other = draw(st.sampled_from([a for a, _ in seeds(protocol)] + FOREIGN)
                     | st.text(max_size=30))
        return [2, uid, other, payload]
    if kind == 8:  # a wrong message type id (3 and 4 are replies, never answered)
        type_id = draw(st.integers(-3, 9).filter(lambda n: n not in (3, 4))
                       | st.sampled_from(["2", 2.0, 2.5, True, None, [2], {"2": 2}]))
        return [type_id, uid, action, payload]
    # the wrong number of elements, or an unreadable message id or action
    return draw(st.sampled_from([
        [2, uid, action], [2, uid, action, payload, {}], [2, uid], [2],
        [2, 17, action, payload], [2, None, action, payload], [2, uid, 5, payload],
        [2, uid, None, payload], [2, "", action, payload], [2, uid, action, None]]))


@st.composite
def anything(draw: st.DrawFn) -> Any:
    """Any JSON value, or raw text: not JSON, or nested beyond what parsers take."""
    uid = f"fuzz-{next(uids)}"
    if draw(st.booleans()):
        return draw(json_values | odd_values)
    depth = draw(st.integers(1, 5000))
    return draw(st.sampled_from([
        "", "[", "not json", "[2, \"x\", \"Heartbeat\", {}", "\x00", "[2,\"a\",\"Heartbeat\","
        "{}]]", "[" * depth + "]" * depth, "{\"a\":" * depth + "1" + "}" * depth,
        f"[2, \"{uid}\", \"Heartbeat\", " + "[" * depth + "]" * depth + "]",
        f"[2, \"{uid}\", \"Heartbeat\", {{}}, NaN]", "[2, \"" + uid + "\", \"Heartbeat\", "
        "{\"a\": 1e999}]", f"[2, \"{uid}\", \"Heartbeat\", {{\"a\": 1" + "0" * 400 + "}}]"]))


# --- the exchange -------------------------------------------------------------------------

def encode(frame: Any) -> str:
    return frame if isinstance(frame, str) else json.dumps(frame)


def expected_uid(text: str) -> str | None:
    """The message id the server must answer with; None for replies, which are never answered
    (OCPP-J: a CALLRESULT or CALLERROR is not answered, whatever it holds)."""
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError):
        return "-1"
    if isinstance(msg, list) and msg and not isinstance(msg[0], bool) and msg[0] in (3, 4):
        return None
    return msg[1] if isinstance(msg, list) and len(msg) > 1 and isinstance(msg[1], str) \
        else "-1"


class Station:
    """A synchronous OCPP-J client that answers the server's own calls with NotSupported."""

    def __init__(self, ws: ClientConnection, protocol: str) -> None:
        self.ws = ws
        self.protocol = protocol
        self.beats = itertools.count()

    def until(self, uid: str) -> list[list[Any]]:
        """Every reply that arrives up to (and with) the one to `uid`."""
        got: list[list[Any]] = []
        while True:
            frame = json.loads(self.ws.recv(timeout=15))
            if frame[0] == 2:
                self.ws.send(json.dumps([4, frame[1], "NotSupported", "fuzzing", {}]))
                continue
            got.append(frame)
            if frame[1] == uid:
                return got

    def alive(self) -> list[list[Any]]:
        """A Heartbeat, answered: the replies that came before its own."""
        uid = f"alive-{next(self.beats)}"
        self.ws.send(json.dumps([2, uid, "Heartbeat", {}]))
        *before, reply = self.until(uid)
        assert reply[0] == 3 and "currentTime" in reply[2], reply
        return before


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CsmsServer]:
    path = tmp_path_factory.mktemp("ocpp-fuzz")
    server = CsmsServer(make_settings(f"sqlite+aiosqlite:///{path}/csms.db",
                                      unknown_stations="accept", unknown_id_tokens="accept"))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fuzzed-ocpp", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(60)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


class ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("csms"):
            self.records.append(record.getMessage())


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    handler = ErrorRecords()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


def check(station: Station, text: str) -> None:
    """Send one frame; its answer (if any) must be one reply with a spec code."""
    station.ws.send(text)
    before = station.alive()
    uid = expected_uid(text)
    if uid is None:
        assert before == [], (text[:300], before)
        return
    assert len(before) == 1, (text[:300], before)
    [reply] = before
    assert reply[1] == uid, (text[:300], reply)
    if reply[0] == 4:
        assert reply[2] in SPEC_CODES[station.protocol], (text[:300], reply)
    else:
        assert reply[0] == 3 and isinstance(reply[2], dict), (text[:300], reply)


def fuzz_station(server: CsmsServer, protocol: str, name: str,
                 strategy: st.SearchStrategy[Any], examples: int) -> None:
    """Send `examples` frames of `strategy` over one connection, each checked; then an honest
    station boots and beats."""
    base = f"ws://127.0.0.1:{server.ocpp_port}/ocpp"
    with connect(f"{base}/FUZZ-{name}", subprotocols=[protocol],  # type: ignore[list-item]
                 max_size=None) as ws:
        station = Station(ws, protocol)
        station.alive()

        @given(frame=strategy)
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def fuzz(frame: Any) -> None:
            check(station, encode(frame))

        fuzz()
    with connect(f"{base}/HONEST-{name}", subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        station = Station(ws, protocol)
        ws.send(json.dumps([2, "boot", "BootNotification", BOOTS[protocol]]))
        [reply] = station.until("boot")
        assert reply[0] == 3 and reply[2]["status"] == "Accepted", reply
        station.alive()


ACTIONS = [(protocol, action) for protocol in VERSIONS
           for action in sorted({a for a, _ in seeds(protocol)})]


@pytest.mark.parametrize(("protocol", "action"), ACTIONS)
def test_every_call_gets_a_spec_answer_and_the_station_lives_on(
    live_server: CsmsServer, server_errors: list[str], protocol: str, action: str
) -> None:
    fuzz_station(live_server, protocol, f"{VERSIONS[protocol]}-{action}",
                 calls(protocol, action), EXAMPLES)
    assert server_errors == []


@pytest.mark.parametrize("protocol", list(VERSIONS))
def test_any_frame_gets_a_spec_answer_or_none_and_the_station_lives_on(
    live_server: CsmsServer, server_errors: list[str], protocol: str
) -> None:
    fuzz_station(live_server, protocol, f"{VERSIONS[protocol]}-any", anything(), EXAMPLES * 4)
    assert server_errors == []
