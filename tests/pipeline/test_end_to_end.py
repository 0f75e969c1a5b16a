"""End to end: the real pipeline through ``clickstream-local run``, twice, on generated events.

One session-scoped scenario (conftest.py; runs are the expensive part): batch 1 is generated and
run; batch 2, an empty file and a garbage file land and the pipeline runs again. Each test checks
one promise of the data contract against the tables as they are after each run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from e2e_scenario import GARBAGE_LINES, gold_agrees_with_silver
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

pytestmark = pytest.mark.e2e

def _count(frame) -> int:
    return frame.count()


def test_bronze_keeps_every_input_line(scenario):
    expected = scenario["first"]["lines"] + scenario["second"]["lines"] + len(GARBAGE_LINES)
    assert _count(scenario["snap"].table(BRONZE_EVENTS)) == expected


def test_rows_are_accounted_for_as_silver_quarantine_or_duplicate(scenario):
    snap, first, second = scenario["snap"], scenario["first"], scenario["second"]
    bronze = _count(snap.table(BRONZE_EVENTS))
    silver = _count(snap.table(SILVER_EVENTS))
    quarantine = _count(snap.table(SILVER_QUARANTINE))
    duplicates = first["duplicates"] + second["duplicates"]
    assert silver == first["valid_events"] + second["valid_events"]
    assert bronze == silver + quarantine + duplicates


def test_silver_has_one_row_per_message_id(scenario):
    silver = scenario["snap"].table(SILVER_EVENTS)
    assert silver.select("event_id").distinct().count() == silver.count()


def test_every_late_event_reaches_silver(scenario):
    late = set(scenario["first"]["late_message_ids"]) | set(scenario["second"]["late_message_ids"])
    assert late
    silver_ids = {r.event_id for r in scenario["snap"].table(SILVER_EVENTS).select("event_id")
                  .collect()}
    assert late <= silver_ids


def test_malformed_and_garbage_lines_are_quarantined_whole(scenario):
    quarantine = scenario["snap"].table(SILVER_QUARANTINE)
    corrupt = quarantine.where(F.array_contains("failed_rules", "is_json_object"))
    expected = (scenario["first"]["malformed"] + scenario["second"]["malformed"]
                + len(GARBAGE_LINES))
    assert corrupt.count() == expected
    kept = {json.loads(r._rescued_data)["_corrupt_record"] for r in corrupt.collect()}
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
        scenario["second"]["lines"] + len(GARBAGE_LINES)
    )


def test_gold_agrees_with_silver_after_each_run(scenario):
    assert scenario["first_gold_ok"]
    assert gold_agrees_with_silver(scenario["snap"])


def test_funnel_and_revenue_match_silver(scenario):
    snap = scenario["snap"]
    silver = snap.table(SILVER_EVENTS)
    daily = snap.table(GOLD_DAILY_METRICS).agg(
        *[F.sum(c).alias(c) for c in ("product_viewed", "product_added", "checkout_started",
                                      "orders", "page_views")],
        F.sum("revenue").alias("revenue"),
    ).first()
    tracks = {r.event_name: r["count"] for r in silver.where("event_type = 'track'")
              .groupBy("event_name").count().collect()}
    assert daily.product_viewed == tracks.get("Product Viewed", 0)
    assert daily.product_added == tracks.get("Product Added", 0)
    assert daily.checkout_started == tracks.get("Checkout Started", 0)
    assert daily.orders == tracks.get("Order Completed", 0)
    assert daily.page_views == silver.where("event_type = 'page'").count()
    expected_revenue = scenario["first"]["order_revenue_total"] + scenario["second"][
        "order_revenue_total"]
    assert float(daily.revenue) == pytest.approx(expected_revenue, abs=0.01)


def test_show_prints_counts_and_the_gold_report(scenario):
    # A process of its own: `show` opens the run's metastore in a session of its own.
    result = subprocess.run(
        [sys.executable, "-m", "clickstream_cli.local", "show", "--home", str(scenario["home"])],
        capture_output=True, text=True, timeout=180, env={**os.environ, "COLUMNS": "160"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "bronze_events" in out and "silver_quarantine" in out
    assert "Order Completed" in out
