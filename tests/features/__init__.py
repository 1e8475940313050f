"""Feature tests of issue 4, end to end with the simulators and raw stations."""
