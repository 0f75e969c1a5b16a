"""Tests run Spark as production does: the test session's settings against the pipeline's.

The pipeline's settings are what a local run hands Spark: the ``spark.*`` keys of
``pipeline/spark-pipeline.yml``'s configuration, the static settings and master
``clickstream-local run`` passes the Connect server, and ``silver_events``' flow setting. Any
setting in which the test session differs must be listed, with its reason, in
``spark_test_session.TEST_ONLY``.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml
from spark_test_session import MASTER, SETTINGS, TEST_ONLY

from clickstream.silver_events import SILVER_SPARK_CONF
from clickstream_cli.local_home import LocalHome
from clickstream_cli.pipelines_launch import MASTER as PIPELINE_MASTER
from clickstream_cli.pipelines_launch import submit_arguments

SPEC = Path(__file__).resolve().parents[2] / "pipeline" / "spark-pipeline.yml"


def pipeline_settings(tmp_path: Path) -> dict[str, str]:
    configuration = yaml.safe_load(SPEC.read_text())["configuration"]
    spec = {k: str(v) for k, v in configuration.items() if k.startswith("spark.")}
    submit = shlex.split(submit_arguments(LocalHome(tmp_path).static_spark_conf(), "1g"))
    static = dict(submit[i + 1].split("=", 1) for i, part in enumerate(submit) if part == "--conf")
    return {"spark.master": PIPELINE_MASTER, **spec, **static, **SILVER_SPARK_CONF}


def test_the_test_session_differs_from_the_pipeline_only_in_documented_settings(tmp_path):
    pipeline = pipeline_settings(tmp_path)
    tests = {"spark.master": MASTER, **SETTINGS}

    differing = {
        key for key in pipeline.keys() | tests.keys() if pipeline.get(key) != tests.get(key)
    }

    assert differing - TEST_ONLY.keys() == set()


def test_every_sql_setting_of_the_live_test_session_is_the_pipelines_or_documented(spark, tmp_path):
    pipeline = pipeline_settings(tmp_path)
    live = dict(spark.sparkContext.getConf().getAll())
    set_sql = {k: v for k, v in live.items() if k.startswith("spark.sql.")}

    unexplained = {k: v for k, v in set_sql.items() if pipeline.get(k) != v and k not in TEST_ONLY}

    assert unexplained == {}


def test_the_test_session_keeps_sparks_default_map_key_policy(spark):
    assert spark.conf.get("spark.sql.mapKeyDedupPolicy") == "EXCEPTION"


def test_every_documented_difference_names_its_reason():
    assert all(reason.strip() for reason in TEST_ONLY.values())
