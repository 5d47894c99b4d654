"""Benchmark of the app at State scale (`make bench`, `python -m tests.rendimiento`).

Not collected by pytest: no module here starts with `test_`. See BENCHMARKS.md.
"""
