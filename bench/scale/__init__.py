"""Scale benchmarks: capacity step search, steady state, memory per station, reconnect
storm and two-node cluster throughput (see docs/performance.md)."""
