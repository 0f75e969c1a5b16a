"""End to end: the real pipeline through ``clickstream-local run``, twice, on generated events.

One session-scoped scenario (conftest.py; runs are the expensive part): batch 1 lands with
unreadable files (a cut-off upload and an empty ``.gz``) and is run; batch 2, an empty file and a
garbage file land and the pipeline runs again. Each test checks one promise of the data contract
against the tables as they are after each run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from e2e_scenario import (
    CUT_OFF,
    CUT_OFF_EVENTS,
    EMPTY_GZ,
    GARBAGE_LINES,
    GOLD_TABLES,
    HOSTILE_FILE,
    HOSTILE_LINES,
    assert_gold_agrees_with_silver,
)
from pyspark.sql import functions as F
from pyspark.testing import assertDataFrameEqual

from clickstream.contract import (
    BRONZE_EVENTS,
    GOLD_DAILY_METRICS,
    GOLD_DIM_USERS,
    GOLD_SESSIONS,
    SILVER_EVENTS,
    SILVER_QUARANTINE,
)
from clickstream_cli.file_faults import FaultRecord
from clickstream_cli.local_home import LocalHome

pytestmark = pytest.mark.e2e


def _kept_from_cut_off(scenario) -> int:
    bronze = scenario["snap"].table(BRONZE_EVENTS)
    return bronze.where(F.col("_source_file").endswith(CUT_OFF)).count()


def _count(frame) -> int:
    return frame.count()


HOSTILE_VALID = sum(1 for _, rules in HOSTILE_LINES if not rules)


def test_bronze_keeps_every_line_of_every_readable_file(scenario):
    second = scenario["second"]["lines"] + len(GARBAGE_LINES) + len(HOSTILE_LINES)
    expected = scenario["first"]["lines"] + second
    bronze = scenario["snap"].table(BRONZE_EVENTS)
    readable = bronze.where(~F.col("_source_file").endswith(CUT_OFF))
    assert _count(readable) == expected


def test_lines_before_the_cut_of_a_cut_off_upload_are_kept_whole(scenario):
    bronze = scenario["snap"].table(BRONZE_EVENTS)
    kept = [
        r.messageId
        for r in bronze.where(F.col("_source_file").endswith(CUT_OFF)).select("messageId").collect()
    ]
    assert 0 < len(kept) < len(CUT_OFF_EVENTS)
    assert None not in kept
    # Whole lines only, from the start of the file: the first len(kept) events, each parsed.
    assert sorted(kept) == [f"cut-{i:04d}" for i in range(len(kept))]


def test_unreadable_files_are_recorded_in_the_raw_zone_once(scenario):
    faults = FaultRecord(LocalHome(scenario["home"])).faults()
    assert sorted(Path(f.path).name for f in faults) == sorted([CUT_OFF, EMPTY_GZ])
    assert all(f.error_class and f.message and f.found_at for f in faults)


def test_the_run_warns_once_per_unreadable_file_naming_it(scenario):
    first, second = scenario["outputs"]
    warnings = [line for line in first.splitlines() if "unreadable file" in line]
    assert len(warnings) == 2
    assert any(CUT_OFF in line for line in warnings)
    assert any(EMPTY_GZ in line for line in warnings)
    assert "unreadable file" not in second  # recorded already: the second run is quiet about it


def test_rows_are_accounted_for_as_silver_quarantine_or_duplicate(scenario):
    snap, first, second = scenario["snap"], scenario["first"], scenario["second"]
    bronze = _count(snap.table(BRONZE_EVENTS))
    silver = _count(snap.table(SILVER_EVENTS))
    quarantine = _count(snap.table(SILVER_QUARANTINE))
    duplicates = first["duplicates"] + second["duplicates"]
    valid = first["valid_events"] + second["valid_events"] + HOSTILE_VALID
    assert silver == valid + _kept_from_cut_off(scenario)
    assert bronze == silver + quarantine + duplicates


def test_each_hostile_line_ends_in_silver_or_the_quarantine_under_its_rules(scenario):
    snap = scenario["snap"]
    silver = {r.event_id for r in snap.table(SILVER_EVENTS).select("event_id").collect()}
    quarantine = snap.table(SILVER_QUARANTINE).where(F.col("_source_file").endswith(HOSTILE_FILE))
    quarantined = {r.messageId: r.failed_rules for r in quarantine.collect()}
    for line, rules in HOSTILE_LINES:
        message_id = json.loads(line)["messageId"]
        if rules:
            assert quarantined.get(message_id) == rules, line
            assert message_id not in silver, line
        else:
            assert message_id in silver and message_id not in quarantined, line


def test_no_gold_day_lies_before_2000_or_after_tomorrow(scenario):
    days = [r.event_date for r in scenario["snap"].table(GOLD_DAILY_METRICS).collect()]
    starts = [r.session_start for r in scenario["snap"].table(GOLD_SESSIONS).collect()]
    tomorrow = date.today() + timedelta(days=1)
    assert days and all(date(2000, 1, 1) <= day <= tomorrow for day in days)
    assert all(date(2000, 1, 1) <= start.date() <= tomorrow for start in starts)


def test_silver_has_one_row_per_message_id(scenario):
    silver = scenario["snap"].table(SILVER_EVENTS)
    assert silver.select("event_id").distinct().count() == silver.count()


def test_every_late_event_reaches_silver(scenario):
    late = set(scenario["first"]["late_message_ids"]) | set(scenario["second"]["late_message_ids"])
    assert late
    silver_ids = {
        r.event_id for r in scenario["snap"].table(SILVER_EVENTS).select("event_id").collect()
    }
    assert late <= silver_ids


def test_malformed_and_garbage_lines_are_quarantined_whole(scenario):
    quarantine = scenario["snap"].table(SILVER_QUARANTINE)
    corrupt = quarantine.where(F.array_contains("failed_rules", "is_json_object"))
    expected = scenario["first"]["malformed"] + scenario["second"]["malformed"] + len(GARBAGE_LINES)
    assert corrupt.count() == expected
    kept = {json.loads(r._rescued_data)["_corrupt_record"]["line"] for r in corrupt.collect()}
    assert set(GARBAGE_LINES) <= kept


def test_no_clear_text_pii_in_silver_or_gold(scenario):
    snap, manifests = scenario["snap"], (scenario["first"], scenario["second"])
    secrets = set()
    for manifest in manifests:
        secrets |= set(manifest["user_ids"]) | set(manifest["anonymous_ids"])
        secrets |= set(manifest["ips"])
        secrets |= {email.strip().lower() for email in manifest["emails"]}
        secrets |= {email.strip() for email in manifest["emails"]}
    assert secrets
    for name in (SILVER_EVENTS, GOLD_DIM_USERS, GOLD_SESSIONS, GOLD_DAILY_METRICS):
        table = snap.table(name)
        text = "\n".join(
            r[0] for r in table.select(F.to_json(F.struct(*table.columns))).collect()
        ).lower()
        leaked = sorted(s for s in secrets if s and s.lower() in text)
        assert not leaked, f"{name} holds clear-text PII: {leaked[:5]}"


def test_second_run_reads_only_new_files(scenario):
    first_bronze = scenario["after_first"][BRONZE_EVENTS]
    bronze = scenario["snap"].table(BRONZE_EVENTS)
    first_files = {r[0] for r in first_bronze.select("_source_file").distinct().collect()}
    again = bronze.where(F.col("_source_file").isin(list(first_files)))
    # The first batch's rows are still there exactly once, with their first ingestion time.
    assertDataFrameEqual(again, first_bronze)
    assert bronze.count() - first_bronze.count() == (
        scenario["second"]["lines"] + len(GARBAGE_LINES) + len(HOSTILE_LINES)
    )


def test_gold_agrees_with_silver_after_the_first_run(scenario):
    after_first = scenario["after_first"]
    assert_gold_agrees_with_silver(after_first[SILVER_EVENTS], after_first)


def test_gold_agrees_with_silver_after_the_second_run(scenario):
    snap = scenario["snap"]
    gold = {name: snap.table(name) for name in GOLD_TABLES}
    assert_gold_agrees_with_silver(snap.table(SILVER_EVENTS), gold)


def test_funnel_and_revenue_match_silver(scenario):
    snap = scenario["snap"]
    silver = snap.table(SILVER_EVENTS)
    daily = (
        snap.table(GOLD_DAILY_METRICS)
        .agg(
            *[
                F.sum(c).alias(c)
                for c in (
                    "product_viewed",
                    "product_added",
                    "checkout_started",
                    "orders",
                    "page_views",
                )
            ],
            F.sum("revenue").alias("revenue"),
        )
        .first()
    )
    tracks = {
        r.event_name: r["count"]
        for r in silver.where("event_type = 'track'").groupBy("event_name").count().collect()
    }
    assert daily.product_viewed == tracks.get("Product Viewed", 0)
    assert daily.product_added == tracks.get("Product Added", 0)
    assert daily.checkout_started == tracks.get("Checkout Started", 0)
    assert daily.orders == tracks.get("Order Completed", 0)
    assert daily.page_views == silver.where("event_type = 'page'").count()
    expected_revenue = (
        scenario["first"]["order_revenue_total"] + scenario["second"]["order_revenue_total"]
    )
    assert float(daily.revenue) == pytest.approx(expected_revenue, abs=0.01)


def test_show_prints_counts_and_the_gold_report_west_of_utc(scenario):
    # A process of its own: `show` opens the run's metastore in a session of its own.
    result = subprocess.run(
        [sys.executable, "-m", "clickstream_cli.local", "show", "--home", str(scenario["home"])],
        capture_output=True,
        text=True,
        timeout=180,
        # West of UTC: a timestamp converted to local time there must not stop `show`.
        env={**os.environ, "COLUMNS": "160", "TZ": "America/Los_Angeles"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "bronze_events" in out and "silver_quarantine" in out
    assert "Order Completed" in out
    assert CUT_OFF in out and EMPTY_GZ in out  # the unreadable files
