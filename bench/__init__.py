"""Benchmarks for csms: figures, not assertions (see bench/README.md)."""
