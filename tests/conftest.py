"""Shared fixtures (one local SparkSession for the whole test session) and the test tiers.

Every test gets exactly one tier marker from what it needs, so a test keeps its tier wherever it
moves: ``e2e`` (marked by hand: the real pipeline through ``clickstream-local run``), ``browser``
(uses the ``browser`` fixture: headless chromium), ``spark`` (uses the ``spark`` fixture: a JVM),
else ``fast``. ``make test-fast`` runs ``-m fast``.

The session's settings live in ``spark_test_session``: the pipeline's own, plus documented speed
and logging settings only (``tests/pipeline/test_spark_parity.py`` holds it to that). Hypothesis'
example counts come from the profile ``HYPOTHESIS_PROFILE`` names (``hypothesis_profiles``).
"""

import os

import hypothesis_profiles  # noqa: F401  (loads the profile before any test module is imported)
import pytest
from spark_test_session import MASTER, SETTINGS


@pytest.fixture(scope="session")
def spark():
    """A small local SparkSession: UTC, two shuffle partitions, no UI, Spark's defaults else."""
    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(MASTER)
    for key, value in SETTINGS.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


TIERS = ("e2e", "browser", "spark", "fast")  # the first that applies wins


def tier(item: pytest.Item) -> str:
    """The tier of one collected test: an explicit tier mark, else what its fixtures need."""
    for name in TIERS:
        if item.get_closest_marker(name):
            return name
    fixtures = set(getattr(item, "fixturenames", ()))  # every fixture it uses, transitively
    for name in ("browser", "spark"):
        if name in fixtures:
            return name
    return "fast"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(tier(item))
