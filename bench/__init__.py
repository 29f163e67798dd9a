"""Sasom benchmarks: ``scripts/bench.sh [--quick|--smoke]`` (see docs/performance.md)."""
