"""Benchmarks: what the pipeline costs against a plain PySpark floor, and how the cost grows.

``python -m benchmarks.run --events N [--json]``; the figures live in ``docs/benchmarks.md``.
"""
