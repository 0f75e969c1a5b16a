"""clickstream-local without Spark: bad arguments, the spec it writes, how it reads a run."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from clickstream import runtime
from clickstream.contract import BRONZE_EVENTS, GOLD_QUALITY_LEDGER, PIPELINE_TABLES
from clickstream_cli import local
from clickstream_cli.local_home import LocalHome
from clickstream_cli.local_run import (
    RunProgress,
    pipeline_source_dir,
    spark_pipelines_command,
    write_spec,
)


def test_missing_landing_folder_is_a_clear_error_and_writes_nothing(tmp_path, capsys):
    home = tmp_path / "home"

    code = local.main(["run", "--landing", str(tmp_path / "nope"), "--home", str(home)])

    assert code == 2
    assert "does not exist" in capsys.readouterr().err
    assert not home.exists()


def test_show_without_a_previous_run_says_to_run_first(tmp_path, capsys):
    assert local.main(["show", "--home", str(tmp_path)]) == 2
    assert "clickstream-local run" in capsys.readouterr().err


def test_spec_lists_every_transformation_in_dependency_order(tmp_path):
    home = LocalHome(tmp_path)
    home.prepare()

    spec = yaml.safe_load(write_spec(home, tmp_path / "landing", pipeline_source_dir()).read_text())

    files = [entry["glob"]["include"].split("/")[-1] for entry in spec["libraries"]]
    shipped = {p.name for p in (pipeline_source_dir() / "transformations").glob("*.py")}
    assert set(files) == shipped
    assert files.index("bronze_events.py") < files.index("silver_events.py")
    assert files.index("silver_events.py") < files.index("gold_sessions.py")
    assert files.index("gold_sessions.py") < files.index("gold_daily_metrics.py")


def test_spec_points_storage_and_landing_under_the_given_folders(tmp_path):
    home = LocalHome(tmp_path / "home")
    home.prepare()

    spec = yaml.safe_load(write_spec(home, tmp_path / "in", pipeline_source_dir()).read_text())

    assert spec["storage"] == home.storage.as_uri()
    conf = spec["configuration"]
    assert conf[runtime.RUNTIME_KEY] == "local"
    assert conf[runtime.LANDING_PATH_KEY] == (tmp_path / "in").as_uri()
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert runtime.PII_KEY_KEY not in conf  # the marked development key applies


def test_a_pii_key_from_the_environment_reaches_the_spec(tmp_path, monkeypatch):
    monkeypatch.setenv("CLICKSTREAM_PII_KEY", "from-env")
    home = LocalHome(tmp_path)
    home.prepare()

    spec = yaml.safe_load(write_spec(home, tmp_path, pipeline_source_dir()).read_text())

    assert spec["configuration"][runtime.PII_KEY_KEY] == "from-env"


def test_command_keeps_the_persistent_catalog(tmp_path):
    home = LocalHome(tmp_path)
    command = spark_pipelines_command(home, Path("spec.yml"), True, "2g")

    submit_args = next(a for a in command if a.startswith("PYSPARK_SUBMIT_ARGS="))
    server = shlex.split(submit_args.split("=", 1)[1])
    assert "spark.sql.catalogImplementation=hive" in server
    assert f"spark.sql.warehouse.dir={home.warehouse.as_uri()}" in server
    assert server[server.index("--driver-memory") + 1] == "2g"  # the Connect server's heap
    assert "SPARK_REMOTE=local[*]" in command  # every core, not one


def test_full_refresh_rebuilds_every_table_but_bronze_and_the_quality_ledger(tmp_path):
    command = spark_pipelines_command(LocalHome(tmp_path), Path("spec.yml"), True, "1g")

    rebuilt = command[command.index("--full-refresh") + 1].split(",")
    assert set(rebuilt) == set(PIPELINE_TABLES) - {BRONZE_EVENTS}
    kept = command[command.index("--refresh") + 1].split(",")
    assert kept == [BRONZE_EVENTS, GOLD_QUALITY_LEDGER]  # they only take in new rows
    assert "--full-refresh-all" not in command


def test_command_runs_the_pipelines_cli_without_the_launcher_jvm(tmp_path):
    command = spark_pipelines_command(LocalHome(tmp_path), Path("spec.yml"), False, "1g")

    assert command[0] == "env"
    assert command[command.index("run") - 1].endswith("pyspark/pipelines/cli.py")
    assert not any(part.endswith("spark-pipelines") for part in command)
    assert command[-2:] == ["--spec", "spec.yml"]


def test_progress_reads_flow_states_and_the_first_spark_error():
    progress = RunProgress()
    lines = [
        "2026-11-25 19:07:28: Flow spark_catalog.default.bronze_events is RUNNING.",
        "2026-11-25 19:07:32: Flow spark_catalog.default.bronze_events has COMPLETED.",
        "pyspark.errors.exceptions.connect.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The "
        "table `x` cannot be found.",
        "org.apache.spark.SparkSQLException: [INVALID_HANDLE.SESSION_CLOSED] harmless",
        "2026-11-25 19:07:40: Run is FAILED.",
    ]
    changes = [progress.feed(line) for line in lines]

    assert changes[:2] == [("bronze_events", "RUNNING"), ("bronze_events", "COMPLETED")]
    assert progress.run_state == "FAILED"
    assert progress.reason.startswith("[TABLE_OR_VIEW_NOT_FOUND]")


def test_progress_falls_back_to_the_first_exception_without_an_error_class():
    progress = RunProgress()
    progress.feed("java.net.BindException: Failed to bind to address 0.0.0.0:15002")

    assert progress.reason == "BindException: Failed to bind to address 0.0.0.0:15002"
