"""Named station behaviours for ``SimStation.run()`` and the CLI.

A scenario starts once the station is connected, booted and has announced its
connector statuses; it returns when done (the station then shuts down) and is
cancelled when ``stop`` is set.
"""

from __future__ import annotations

import asyncio
import json
import uuid

from simulators.rpc import CallErrorReply, PeerClosed
from simulators.station import AuthorizationRejected, Behaviour, SimStation

Scenario = Behaviour
_RECOVERABLE = (PeerClosed, TimeoutError, CallErrorReply, AuthorizationRejected, RuntimeError)


async def idle(st: SimStation, stop: asyncio.Event, sessions: int) -> None:
    """Boot, statuses, then heartbeats only."""
    await stop.wait()


async def boot_only(st: SimStation, stop: asyncio.Event, sessions: int) -> None:
    """Boot and exit."""


async def charge(st: SimStation, stop: asyncio.Event, sessions: int) -> None:
    """Each EVSE: short random pause, charge for `charge_s` simulated seconds, repeat.

    ``sessions`` > 0 caps the total number of sessions of the station.
    """
    budget = [sessions]

    async def evse_loop(evse: int) -> None:
        while not stop.is_set():
            if await st.clock.wait(stop, st.rng.uniform(2.0, 10.0)):
                return
            if sessions:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            if evse in st.tx or evse in st.starting:  # busy with a remote start
                if sessions:
                    budget[0] += 1
                continue
            try:
                await st.charge(evse, duration_s=st.rng.uniform(*st.cfg.charge_s))
            except _RECOVERABLE as exc:
                st.sessions_failed += 1
                hint = ""
                if isinstance(exc, AuthorizationRejected):
                    hint = " (register the token with the CSMS, or use --id-token)"
                st.log.warning("session on evse %d failed: %s%s", evse, exc, hint)
                await st.clock.wait(stop, 10.0)

    await asyncio.gather(*(evse_loop(e) for e in sorted(st.meters)))


async def probe_bad_frames(st: SimStation, timeout: float = 5.0) -> list[str]:
    """Send invalid JSON, an unknown action and a schema-violating payload; return the replies."""
    probes = [
        "this is not json",
        json.dumps([2, str(uuid.uuid4()), "NoSuchAction", {}]),
        json.dumps([2, str(uuid.uuid4()), "BootNotification", {"unexpected": True}]),
        json.dumps([2, str(uuid.uuid4()), "Heartbeat", {"bogus": 1}]),
    ]
    replies = []
    for frame in probes:
        await st.send_raw(frame)
        try:
            reply = await st.next_raw_reply(timeout)
        except TimeoutError:
            reply = "<no reply>"
        st.log.info("bad frame %.60s -> %.200s", frame, reply)
        replies.append(reply)
    return replies


async def bad_frames(st: SimStation, stop: asyncio.Event, sessions: int) -> None:
    """Misbehave once (see probe_bad_frames), log the CALLERRORs, exit."""
    await probe_bad_frames(st)


async def flaky(st: SimStation, stop: asyncio.Event, sessions: int) -> None:
    """Drop the socket mid-transaction, reconnect, resume and stop the transaction."""
    done = 0
    while not stop.is_set() and (not sessions or done < sessions):
        try:
            await st.start_transaction(1)
            await st.send_meter_values(1)
            if await st.clock.wait(stop, st.meter_interval_s):
                return
            st.log.info("dropping the connection mid-transaction")
            st.drop_connection()
            await st.wait_offline(st.cfg.call_timeout_s)
            await st.wait_online(st.cfg.call_timeout_s)
            await st.send_meter_values(1)
            await st.stop_transaction(1, reason="Local")
        except _RECOVERABLE as exc:
            st.log.warning("flaky session failed: %s", exc)
        done += 1
        await st.clock.wait(stop, st.rng.uniform(2.0, 10.0))


SCENARIOS: dict[str, Scenario] = {
    "idle": idle,
    "charge": charge,
    "boot": boot_only,
    "bad-frames": bad_frames,
    "flaky": flaky,
}


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name`` (ValueError listing the valid names otherwise)."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}") from None
