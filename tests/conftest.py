"""Shared fixtures: one local SparkSession for the whole test session.

Its settings live in ``spark_test_session``: the pipeline's own, plus documented speed and
logging settings only (``tests/pipeline/test_spark_parity.py`` holds it to that).
"""

import os

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
