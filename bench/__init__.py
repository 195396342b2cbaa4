"""Benchmarks: a synthetic corpus generator (`bench.corpus`) and the benchmark runner (`bench.run`)."""
