"""Cluster parts in one process: invalidations, settings and wire messages, bad input."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis

from csms.app import CsmsServer
from csms.cluster.messages import (
    BadMessage,
    EventNote,
    Eviction,
    InvalidationNote,
    PresenceChange,
    Reply,
    Request,
    decode,
    encode,
    error_of,
    raise_error,
)
from csms.domain.errors import StationCallError, StationOffline, StationTimeout
from csms.domain.events import StationConnected
from csms.services.invalidation import Invalidation, LocalInvalidations
from csms.settings import Settings
from tests.cluster.support import redis_url, until
from tests.conftest import ServerFactory, make_settings


def test_single_process_invalidations_run_the_handlers_of_their_kind() -> None:
    bus = LocalInvalidations()
    seen: list[Invalidation] = []

    def broken(_: Invalidation) -> None:
        raise RuntimeError("cache on fire")

    bus.on("id_token", broken)
    bus.on("id_token", seen.append)
    bus.on("tariff", lambda i: seen.append(Invalidation("wrong", i.key)))
    bus.publish(Invalidation("id_token", "TAG1"))
    assert seen == [Invalidation("id_token", "TAG1")]  # the broken handler stopped nobody


async def test_invalidations_reach_the_handlers_of_every_node(
    server_factory: ServerFactory, postgres_url: str
) -> None:
    redis, prefix = redis_url(), f"csms-test-{uuid.uuid4().hex[:10]}"
    try:
        a = await server_factory(database_url=postgres_url, redis_url=redis,
                                 redis_prefix=prefix, node_id="inv-a")
        b = await server_factory(database_url=postgres_url, redis_url=redis,
                                 redis_prefix=prefix, node_id="inv-b")
        on_a: list[Invalidation] = []
        on_b: list[Invalidation] = []
        a.services.invalidations.on("id_token", on_a.append)
        b.services.invalidations.on("id_token", on_b.append)
        b.services.invalidations.publish(Invalidation("id_token", "TAG1"))
        assert on_b == [Invalidation("id_token", "TAG1")]  # the writer's own caches at once

        async def reached_a() -> bool:
            return bool(on_a)

        await until(reached_a, "the invalidation to reach node A")
        assert on_a == [Invalidation("id_token", "TAG1")]
        assert on_b == [Invalidation("id_token", "TAG1")]  # no echo back to the writer
    finally:
        client = Redis.from_url(redis)
        keys = [k async for k in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


def test_cluster_settings_refuse_bad_names() -> None:
    for field, value in (("redis_prefix", "two words"), ("redis_prefix", ""),
                         ("node_id", "a/b"), ("node_id", "n" * 65), ("node_ttl_s", 0)):
        with pytest.raises(ValidationError, match=field):
            Settings(**{field: value})


async def test_a_bad_or_unreachable_redis_url_stops_the_start_with_a_clear_error(
    database_url: str,
) -> None:
    server = CsmsServer(make_settings(database_url, redis_url="http://127.0.0.1:6379"))
    with pytest.raises(ValueError, match="CSMS_REDIS_URL"):
        await server.start()
    server = CsmsServer(make_settings(database_url, redis_url="redis://127.0.0.1:1/0"))
    with pytest.raises(RuntimeError, match="cannot join the cluster"):
        await server.start()


def test_wire_messages_round_trip_and_garbage_is_refused() -> None:
    for message in (
        Request("r1", "node-a", "command", "ST1", "reset", {"type": "soft"}, 5.0),
        Reply("r1", "node-b", None, {"type": "StationOffline", "message": "gone"}),
        Eviction("node-b", "ST1", "c1", "ocpp1.6"), PresenceChange("node-a", "ST1"),
        InvalidationNote("node-a", "id_token", "TAG1"),
    ):
        assert decode(encode(message)) == message
    connected = StationConnected("ST1", "ocpp1.6", "site-1")
    note = EventNote.of("node-a", connected)
    assert decode(encode(note)).event() == connected  # type: ignore[union-attr]
    with pytest.raises(BadMessage):  # a type this node does not know is refused, not raised
        EventNote("node-a", "station.teleported", "ST1", {}).event()
    for garbage in (b"not json", b"[]", b'{"message": "Nope"}', b'{"message": "Reply"}'):
        with pytest.raises(BadMessage):
            decode(garbage)


def test_errors_cross_nodes_as_the_same_domain_errors() -> None:
    for exc in (StationOffline("gone"), StationTimeout("slow"),
                StationCallError("NotSupported", "no", {"x": 1})):
        with pytest.raises(type(exc)) as raised:
            raise_error(error_of(exc))
        assert str(raised.value) == str(exc)
    with pytest.raises(RuntimeError, match="KeyError"):
        raise_error(error_of(KeyError("bug")))
