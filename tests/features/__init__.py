"""Feature tests of the station-management areas beyond the core flows (firmware, diagnostics,
device model, reservations, local lists, security, tariffs, ...), end to end with the simulators
and raw stations."""
