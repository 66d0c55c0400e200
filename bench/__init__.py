"""Benchmarks run against a dedicated PostgreSQL database (see docs/benchmarks.md)."""
