"""Connected stations: handshake admission and its throttle, boot pacing, status and reports,
last-seen times, and the per-station state the hot path holds in memory (`live`)."""
