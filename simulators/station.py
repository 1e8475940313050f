"""Version-neutral simulated charging station: connectors, meters and transactions.

``v16.Station16`` and ``v201.Station201`` add the protocol messages; the link
to the CSMS (reconnects, boot, heartbeats) is inherited from ``link.StationLink``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ClassVar

from simulators.aligned import clock_aligned_readings
from simulators.clock import SimClock, parse_iso
from simulators.config import StationConfig
from simulators.ev import EV, EvseMeter
from simulators.link import SOFT_ERRORS, StationLink
from simulators.rpc import Handler
from simulators.sessions import Reservation, TxState
from simulators.smart_charging import ProfileStore

# What a station does once booted, until it is done or told to stop (`sessions`: how many
# charging sessions, 0 for no limit); `simulators.scenarios` names the usual ones.
Behaviour = Callable[["SimStation", asyncio.Event, int], Awaitable[None]]

class AuthorizationRejected(RuntimeError):
    """charge() was refused because the CSMS did not accept the id token."""


class SimStation(StationLink):
    """Shared behaviour of the simulated stations; see the module docstring."""

    #: neutral state -> protocol status name
    STATUS: ClassVar[dict[str, str]] = {}

    def __init__(self, url: str, cfg: StationConfig, *, clock: SimClock | None = None) -> None:
        super().__init__(url, cfg, clock=clock)
        self.meters = {
            e: EvseMeter(cfg.max_power_w, energy_wh=cfg.meter_start_wh)
            for e in range(1, cfg.evses + 1)
        }
        self.connectors = [
            (e, c) for e in range(1, cfg.evses + 1) for c in range(1, cfg.connectors_per_evse + 1)
        ]
        self.profiles = ProfileStore()
        self.transactions: dict[int, str] = {}
        self.tx: dict[int, TxState] = {}
        self.starting: set[int] = set()  # EVSEs reserved by an accepted remote start
        self.connector_status: dict[tuple[int, int], str] = {}
        self.operative: dict[tuple[int, int], bool] = {(0, 0): True} | dict.fromkeys(
            self.connectors, True
        )
        self.pending_availability: dict[tuple[int, int], bool] = {}
        self.reservations: dict[int, Reservation] = {}
        # local list (filled by SendLocalList) and transaction messages queued while offline
        self.local_list: dict[str, dict[str, Any]] = {}
        self.local_list_version = 0
        self.offline_queue: list[tuple[str, dict[str, Any], TxState | None]] = []
        self.meter_interval_s = cfg.meter_interval_s
        self.aligned_interval_s = 0.0  # clock-aligned readings; 0: none (set by the CSMS)
        self._aligned: asyncio.Task[None] | None = None
        self.sessions_completed = 0
        self.sessions_failed = 0
        self.energy_delivered_wh = 0.0
        self.handlers.update(self._handlers())
        self._meter_tasks: dict[int, asyncio.Task[None]] = {}
        self.lifetime_offset_wh: dict[int, float] = {}  # the meter-reset quirk's counter

    # --------------------------------------------------------- version hooks
    def _handlers(self) -> dict[str, Handler]:
        return {}

    async def send_status(self, evse_id: int = 1, connector_id: int = 1,
                          status: str = "Available") -> None:
        raise NotImplementedError

    async def authorize(self, id_token: str) -> str:
        raise NotImplementedError

    async def start_transaction(self, evse_id: int = 1, id_token: str | None = None, *,
                                connector_id: int = 1, remote_start_id: int | None = None,
                                ev: EV | None = None, tx_id: str | None = None) -> str:
        raise NotImplementedError

    async def send_meter_values(self, evse_id: int = 1, *, context: str = "Sample.Periodic"
                                ) -> None:
        raise NotImplementedError

    async def stop_transaction(self, evse_id: int = 1, reason: str = "Local") -> None:
        raise NotImplementedError

    async def send_aligned_values(self, evse_id: int) -> None:
        """One clock-aligned reading (context Sample.Clock) of the aligned measurands."""
        raise NotImplementedError

    async def _on_charging_state(self, tx: TxState, state: str) -> None:
        """The EV started/stopped drawing power (suspended by EV or by the EVSE limit)."""

    # ---------------------------------------------------------- connectors
    def state_of(self, evse_id: int, connector_id: int) -> str:
        """Neutral state of a connector derived from transactions, reservations, availability."""
        tx = self.tx.get(evse_id)
        if tx is not None:
            if tx.connector_id != connector_id:
                return "unavailable"
            return {"SuspendedEV": "suspended_ev", "SuspendedEVSE": "suspended_evse"}.get(
                tx.charging_state, "charging")
        if evse_id in self.starting:
            return "preparing"
        if any(r.evse_id == evse_id for r in self.reservations.values()):
            return "reserved"
        if not (self.operative[(0, 0)] and self.operative[(evse_id, connector_id)]):
            return "unavailable"
        return "available"

    async def announce(self) -> None:
        """Replay what was queued offline, then send the status of every connector (after
        boot or reconnect)."""
        await self.replay_queue()
        for evse, conn in self.connectors:
            await self.send_status(evse, conn, self.STATUS[self.state_of(evse, conn)])

    async def refresh_status(self, evse_id: int) -> None:
        """Send StatusNotification for connectors of ``evse_id`` whose state changed."""
        for evse, conn in self.connectors:
            if evse == evse_id:
                status = self.STATUS[self.state_of(evse, conn)]
                if self.connector_status.get((evse, conn)) != status:
                    await self.send_status(evse, conn, status)

    def can_start(self, evse_id: int, connector_id: int, id_token: str) -> bool:
        """True if a transaction for ``id_token`` may start on this connector now."""
        state = self.state_of(evse_id, connector_id)
        if state == "reserved":
            return any(r.evse_id == evse_id and r.id_token == id_token
                       for r in self.reservations.values())
        return state == "available"

    def free_evse(self, id_token: str = "") -> int | None:
        """First EVSE where ``id_token`` could start a transaction now."""
        for evse, conn in self.connectors:
            if self.can_start(evse, conn, id_token):
                return evse
        return None

    async def hold_reservation(self, res: Reservation) -> None:
        """Follow-up of an accepted ReserveNow: show Reserved, expire it in time."""
        await self.refresh_status(res.evse_id)
        await self.clock.sleep((res.expires - self.clock.now()).total_seconds())
        if self.reservations.get(res.id) is res:
            del self.reservations[res.id]
            self.log.info("reservation %d expired", res.id)
            await self._on_reservation_expired(res)
            await self.refresh_status(res.evse_id)

    async def _on_reservation_expired(self, res: Reservation) -> None:
        """2.0.1 reports expiries with ReservationStatusUpdate."""

    # -------------------------------- local authorization list, offline transactions
    def _local_auth_flags(self) -> tuple[bool, bool, bool]:
        """(local list enabled, use it offline, use it online before asking the CSMS)."""
        return (False, False, False)

    def local_status(self, id_token: str) -> str | None:
        """The local list's answer for ``id_token`` when the station may rely on it now
        (offline with LocalAuthorizeOffline, online with LocalPreAuthorize); None: ask the
        CSMS. Offline, a token not on the list is Invalid (AllowOfflineTxForUnknownId off)."""
        enabled, offline_ok, pre = self._local_auth_flags()
        online = self.online
        if not enabled or not (pre if online else offline_ok):
            return None
        info = self.local_list.get(id_token)
        if not info:
            return None if online else "Invalid"
        expiry = info.get("expiryDate") or info.get("cacheExpiryDateTime")
        if expiry and parse_iso(expiry) <= self.clock.now():
            return "Expired"
        return str(info.get("status", "Accepted"))

    async def send_tx_message(self, action: str, payload: dict[str, Any],
                              tx: TxState | None) -> dict[str, Any] | None:
        """A transaction message goes out now, or, offline, waits in order in the queue until
        the link is back (then ``replay_queue``); None when queued."""
        if self.online and not self.offline_queue:
            return await self.call(action, payload)
        self.log.info("offline: %s queued", action)
        self.offline_queue.append((action, payload, tx))
        return None

    async def replay_queue(self) -> None:
        """Send the queued transaction messages, oldest first; one that fails stays queued."""
        while self.offline_queue and self.online:
            action, payload, tx = self.offline_queue[0]
            self._before_replay(action, payload, tx)
            resp = await self.call(action, payload)
            self.offline_queue.pop(0)
            self._after_replay(action, resp, tx)

    def _before_replay(self, action: str, payload: dict[str, Any], tx: TxState | None) -> None:
        """Version hook: fix up a queued payload (1.6: the transaction id the CSMS gave)."""

    def _after_replay(self, action: str, resp: dict[str, Any], tx: TxState | None) -> None:
        """Version hook: learn from the reply to a replayed message."""

    # ------------------------------------------------------- transactions
    def meter_wh(self, evse_id: int = 1) -> float:
        """Energy register of ``evse_id`` in Wh, integrated up to now."""
        return self.meters[evse_id].advance(self.clock.monotonic())

    def restart_register(self, evse_id: int) -> float:
        """The ``meter-reset`` quirk: the register restarts at 0 for a transaction; returns
        the lifetime counter the station still knows (delivered before + the start value)."""
        lifetime = self.meter_wh(evse_id) + self.lifetime_offset_wh.get(evse_id, 0.0)
        self.lifetime_offset_wh[evse_id] = lifetime
        self.meters[evse_id].energy_wh = 0.0
        return lifetime

    def update_meter(self, evse_id: int) -> EvseMeter:
        """Integrate energy up to now, then apply the charging-profile limit in force."""
        meter = self.meters[evse_id]
        meter.advance(self.clock.monotonic())
        tx = self.tx.get(evse_id)
        meter.limit_w = self.profiles.limit_w(
            evse_id, self.clock.now(), tx.tx_id if tx else None, tx.started_at if tx else None)
        return meter

    def apply_limits(self) -> None:
        """Re-evaluate every EVSE's limit (after a profile change)."""
        for evse in self.meters:
            self.update_meter(evse)

    def new_ev(self) -> EV:
        """A random EV for a session (deterministic with ``seed``)."""
        return EV(capacity_kwh=self.rng.choice([40.0, 60.0, 77.0, 100.0]),
                  soc=self.rng.uniform(10.0, 70.0), max_power_w=self.cfg.max_power_w)

    def plug(self, evse_id: int, ev: EV | None) -> None:
        self.meters[evse_id].plug(ev or self.new_ev(), self.clock.monotonic())

    def take_reservation(self, evse_id: int, id_token: str) -> int | None:
        """Consume the reservation held for ``id_token`` on ``evse_id``, if any."""
        for rid, res in list(self.reservations.items()):
            if res.evse_id == evse_id and res.id_token == id_token:
                del self.reservations[rid]
                return rid
        return None

    def begin_tx(self, tx: TxState) -> None:
        """Bookkeeping once the CSMS knows the transaction; starts periodic meter values."""
        self.tx[tx.evse_id] = tx
        self.transactions[tx.evse_id] = tx.tx_id
        self.log.info("tx %s started evse=%d token=%s", tx.tx_id, tx.evse_id, tx.id_token)
        self.apply_limits()
        if self.meter_interval_s > 0:
            self._meter_tasks[tx.evse_id] = self.spawn(self._meter_loop(tx))

    def end_tx(self, tx: TxState) -> float:
        """Bookkeeping after the stop message; returns the session energy in Wh."""
        meter = self.meters[tx.evse_id]
        meter.unplug(self.clock.monotonic())
        meter.limit_w = None
        energy = meter.energy_wh - tx.start_wh
        self.tx.pop(tx.evse_id, None)
        self.transactions.pop(tx.evse_id, None)
        task = self._meter_tasks.pop(tx.evse_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        self.profiles.clear_tx(tx.tx_id)
        self.sessions_completed += 1
        self.energy_delivered_wh += energy
        for key in [k for k in self.pending_availability if k[0] in (0, tx.evse_id)]:
            self.operative[key] = self.pending_availability.pop(key)
        tx.ended.set()
        self.log.info("tx %s stopped energy=%.0f Wh", tx.tx_id, energy)
        return energy

    def set_meter_interval(self, interval_s: float) -> None:
        """A new sampling interval (1.6 MeterValueSampleInterval, 2.0.1 TxUpdatedInterval):
        running loops take it at their next sample; a transaction that had none starts one."""
        self.meter_interval_s = interval_s
        if interval_s <= 0:
            return
        for evse_id, tx in self.tx.items():
            task = self._meter_tasks.get(evse_id)
            if task is None or task.done():
                self._meter_tasks[evse_id] = self.spawn(self._meter_loop(tx))

    def set_aligned_interval(self, interval_s: float) -> None:
        """A new clock-aligned interval (1.6 ClockAlignedDataInterval, 2.0.1
        AlignedDataCtrlr.Interval): readings at every multiple of it past midnight UTC."""
        self.aligned_interval_s = interval_s
        if interval_s > 0 and (self._aligned is None or self._aligned.done()):
            self._aligned = self.spawn(clock_aligned_readings(self))

    async def _meter_loop(self, tx: TxState) -> None:
        while self.tx.get(tx.evse_id) is tx and self.meter_interval_s > 0:
            await self.clock.sleep(self.meter_interval_s)
            if self.tx.get(tx.evse_id) is not tx or tx.stopping:
                return
            try:
                await self.send_meter_values(tx.evse_id)
                state = self.update_meter(tx.evse_id).charging_state()
                if state != tx.charging_state and not tx.stopping:
                    tx.charging_state = state
                    await self._on_charging_state(tx, state)
            except SOFT_ERRORS as exc:
                self.log.warning("meter values failed: %s", exc)

    async def charge(self, evse_id: int = 1, id_token: str | None = None,
                     duration_s: float = 60.0, *, ev: EV | None = None) -> str:
        """Authorize, start, let the EV charge ``duration_s`` simulated seconds, stop."""
        token = id_token or self.cfg.id_token
        cached = "Accepted" if "skip-authorize" in self.quirks else None
        status = cached or self.local_status(token) or await self.authorize(token)
        if status != "Accepted":
            raise AuthorizationRejected(f"{token} not accepted: {status}")
        tx_id = await self.start_transaction(evse_id, token, ev=ev)
        tx = self.tx.get(evse_id)
        if tx is not None and tx.tx_id == tx_id:
            await self.clock.wait(tx.ended, duration_s)
            if not tx.ended.is_set():
                await self.stop_transaction(evse_id, reason="Local")
        return tx_id

    # ------------------------------------------------------------- lifecycle
    async def reboot(self, tx_reason: str = "Reboot", boot_reason: str = "RemoteReset") -> None:
        """What a Reset does: stop transactions, drop the socket, reconnect and boot again."""
        for evse in list(self.tx):
            with contextlib.suppress(*SOFT_ERRORS):
                await self.stop_transaction(evse, reason=tx_reason)
        for key, operative in self.pending_availability.items():
            self.operative[key] = operative
        self.pending_availability.clear()
        await self.restart(boot_reason)

    async def run(self, behaviour: Behaviour, stop: asyncio.Event | None = None, *,
                  sessions: int = 0) -> None:
        """CLI path: connect (with backoff), boot, statuses, then the behaviour (a scenario of
        `simulators.scenarios`) until it is done or `stop` is set."""
        stop = stop or asyncio.Event()
        self.auto_reconnect = True
        self._closing = False
        try:
            await self._establish(boot=True, fatal=True)
            work = asyncio.ensure_future(behaviour(self, stop, sessions))
            halt = asyncio.ensure_future(stop.wait())
            await asyncio.wait({work, halt}, return_when=asyncio.FIRST_COMPLETED)
            halt.cancel()
            if not work.done():
                work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
        finally:
            await self.shutdown()

    async def shutdown(self, grace_s: float = 2.0) -> None:
        """Stop running transactions politely (within ``grace_s`` wall seconds), then close."""
        self.auto_reconnect = False
        if self.tx and self.connected:
            async def stop_all() -> None:
                for evse in list(self.tx):
                    with contextlib.suppress(*SOFT_ERRORS):
                        await self.stop_transaction(evse, reason="Local")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_all(), grace_s)
        await self.close()

    async def __aenter__(self) -> SimStation:
        await self.connect()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()
