"""Clock-aligned meter readings (1.6 ClockAlignedDataInterval, 2.0.1 AlignedDataCtrlr):
one reading per EVSE at every multiple of the interval past midnight UTC, simulated time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulators.link import SOFT_ERRORS

if TYPE_CHECKING:
    from simulators.station import SimStation


async def clock_aligned_readings(st: SimStation) -> None:
    """Runs while the interval is positive; skips the readings due while offline."""
    while st.aligned_interval_s > 0:
        interval = st.aligned_interval_s
        await st.clock.sleep(interval - st.clock.now().timestamp() % interval)
        if not st.online or st.aligned_interval_s <= 0:
            continue
        for evse_id in list(st.meters):
            try:
                await st.send_aligned_values(evse_id)
            except SOFT_ERRORS as exc:
                st.log.warning("clock-aligned values failed: %s", exc)
