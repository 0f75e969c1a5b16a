"""The run's failure line names the root cause; progress lines name flows exactly.

The excerpts are real ``spark-pipelines run`` output (a landing folder with a cut-off ``.gz``,
before file faults were skipped), shortened, with the paths replaced.
"""

from __future__ import annotations

from clickstream_cli.run_progress import RunProgress

FAILED_READ_RUN = """\
WARNING: Using incubator modules: jdk.incubator.vector
/venv/lib/python3.11/site-packages/pyspark/python/lib/pyspark.zip/pyspark/sql/connect/conf.py:61: \
UserWarning: Failed to set spark.sql.warehouse.dir to Some(file:///home/u/wh) due to \
[CANNOT_MODIFY_STATIC_CONFIG] Cannot modify the value of the static Spark config: \
"spark.sql.warehouse.dir". SQLSTATE: 46110
2026-11-26 02:57:51: Starting run...
2026-11-26 02:57:57: Flow spark_catalog.default.bronze_events is QUEUED.
2026-11-26 02:57:58: Flow spark_catalog.default.bronze_events is RUNNING.
02:58:06 ERROR Utils: Aborting task
org.apache.spark.SparkException: [FAILED_READ_FILE.NO_HINT] Encountered error while reading file \
file:///landing/truncated.json.gz.  SQLSTATE: KD001
\tat org.apache.spark.sql.errors.QueryExecutionErrors$.cannotReadFilesError(\
QueryExecutionErrors.scala:920)
Caused by: java.io.EOFException: Unexpected end of input stream
\tat org.apache.hadoop.io.compress.DecompressorStream.decompress(DecompressorStream.java:165)
2026-11-26 02:58:06: Flow spark_catalog.default.bronze_events has COMPLETED.
02:58:07 ERROR TriggeredGraphExecution: Flow `spark_catalog`.`default`.`bronze_events` failed
org.apache.spark.sql.streaming.StreamingQueryException: [FAILED_READ_FILE.NO_HINT] Encountered \
error while reading file file:///landing/truncated.json.gz.  SQLSTATE: KD001
=== Streaming Query ===
Identifier: spark_catalog.default.bronze_events [id = 73d3, runId = f264]

\tat org.apache.spark.sql.execution.streaming.runtime.StreamExecution$$anon$1.run(\
StreamExecution.scala:236)
Caused by: org.apache.spark.SparkException: [FAILED_READ_FILE.NO_HINT] Encountered error while \
reading file file:///landing/truncated.json.gz.  SQLSTATE: KD001
\t... 1 more
Caused by: java.io.EOFException: Unexpected end of input stream
\tat org.apache.hadoop.io.compress.DecompressorStream.decompress(DecompressorStream.java:165)
2026-11-26 02:58:07: Flow 'spark_catalog.default.bronze_events' has FAILED.
Error: [STREAM_FAILED] Query [id = 73d3, runId = f264] terminated with exception: \
[FAILED_READ_FILE.NO_HINT] Encountered error while reading file \
file:///landing/truncated.json.gz.  SQLSTATE: KD001 SQLSTATE: XXKST
02:58:25 ERROR PipelinesErrors: Flow 'spark_catalog.default.bronze_events' has FAILED more than 2 \
times and will not be restarted.
2026-11-26 02:58:25: Flow 'spark_catalog.default.bronze_events' has FAILED more than 2 times and \
will not be restarted.
2026-11-26 02:58:25: Flow 'spark_catalog.default.gold_sessions' SKIPPED due to upstream failure(s).
pyspark.errors.exceptions.connect.StreamingQueryException: [STREAM_FAILED] Query [id = 73d3] \
terminated with exception: [FAILED_READ_FILE.NO_HINT] Encountered error while reading file \
file:///landing/truncated.json.gz.  SQLSTATE: KD001 SQLSTATE: XXKST
"""

SKIPPED_FILE_RUN = """\
2026-11-26 03:10:02: Flow spark_catalog.default.bronze_events is RUNNING.
03:10:05 WARN FileScanRDD: Skipped the rest of the content in the corrupted file: path: \
file:///landing/truncated.json.gz, range: 0-1500, partition values: [empty row]
java.io.EOFException: Unexpected end of input stream
03:10:05 WARN FileScanRDD: Skipped missing file: path: file:///landing/no%20access.json, range: \
0-120, partition values: [empty row]
java.io.FileNotFoundException: /landing/no access.json (Permission denied)
2026-11-26 03:10:09: Flow spark_catalog.default.bronze_events has COMPLETED.
2026-11-26 03:10:30: Run is COMPLETED.
"""


def _fed(text: str) -> tuple[RunProgress, list[tuple[str, str]]]:
    progress = RunProgress()
    changes = [progress.feed(line + "\n") for line in text.splitlines()]
    return progress, [change for change in changes if change]


def test_failure_line_names_the_first_failing_flow_its_error_and_the_file():
    progress, _ = _fed(FAILED_READ_RUN)

    assert progress.reason == (
        "flow bronze_events failed: [FAILED_READ_FILE.NO_HINT] Encountered error while reading "
        "file file:///landing/truncated.json.gz. (caused by EOFException: Unexpected end of "
        "input stream)"
    )


def test_a_start_up_warning_is_never_the_failure_line():
    progress, _ = _fed(FAILED_READ_RUN)

    assert "CANNOT_MODIFY_STATIC_CONFIG" not in progress.reason
    assert progress.first_error is not None
    assert "CANNOT_MODIFY_STATIC_CONFIG" not in progress.first_error


def test_a_failed_flow_without_a_stack_trace_is_named_from_the_launchers_error_line():
    without_traces = "\n".join(
        line for line in FAILED_READ_RUN.splitlines() if line.startswith(("2026-", "Error: "))
    )
    progress, _ = _fed(without_traces)

    assert progress.reason == (
        "flow bronze_events failed: [FAILED_READ_FILE.NO_HINT] Encountered error while reading "
        "file file:///landing/truncated.json.gz."
    )


def test_progress_lines_name_flows_exactly_however_the_launcher_quotes_them():
    _, changes = _fed(FAILED_READ_RUN)

    assert {flow for flow, _state in changes} == {"bronze_events", "gold_sessions"}
    assert ("bronze_events", "FAILED") in changes
    assert ("gold_sessions", "SKIPPED") in changes


def test_files_spark_skipped_are_read_with_their_error():
    progress, _ = _fed(SKIPPED_FILE_RUN)

    assert progress.skipped_files == {
        "file:///landing/truncated.json.gz": "EOFException: Unexpected end of input stream",
        "file:///landing/no%20access.json": (
            "FileNotFoundException: /landing/no access.json (Permission denied)"
        ),
    }
    assert progress.run_state == "COMPLETED"
    assert progress.reason is None
