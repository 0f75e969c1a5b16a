"""Scaling of the incremental sessions step against the full recompute.

    python -m benchmarks.sessions_scaling [--history 200000 2000000] [--batch 10000] [--json]

For each history size N: a synthetic Silver history of N events (see :func:`silver_events`)
and a batch of the next B events (5 % of them late by up to two days, within the dedupe horizon,
and a few new devices that identify in the batch) are written as parquet with the sessions and
links of the history (setup, not timed). Then, each timed in the same warm session:

- **incremental**: :func:`clickstream.gold_sessions_incremental.apply_sessions_batch` with
  its result
  (upserts, deletes, link changes) fully computed; *rows read* = the rows of its inputs after
  their filters (``SessionsChange.reads``: the batch, the links and stored sessions of the
  identities it touches, Silver's rows of those identities inside their regions);
- **full**: :func:`clickstream.gold_sessions.build_sessions` over Silver; rows read = Silver's rows.

Rows read do not depend on the machine; times do (2 shared cores here). Locally parquet has no
file statistics the filters could use, so the physical scan is still whole tables; on Databricks
the literal time range and clustering on ``user_key`` let the reads skip files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

WORKDIR = Path(__file__).resolve().parent / "out" / "sessions"
EVENTS_PER_DAY = 100_000
USERS = 20_000
BURST = 8  # events per visit, one minute apart
LATE_SHARE = 0.05
LATE_MAX_S = 2 * 86_400
NEW_DEVICE_SHARE = 0.01


def silver_events(spark, first: int, count: int, late: bool):
    """Events ``first .. first+count-1`` of one deterministic stream, as Silver rows.

    Visits of ``BURST`` events one minute apart; visit ``v`` belongs to user ``v*7919 % USERS``,
    starts ``v * BURST / EVENTS_PER_DAY`` days after the epoch and is anonymous (the user's device
    key only) for 30 % of visits, else carries both keys; the first visit of every user opens
    with an identify. With ``late``, 5 % of visits are shifted back by up to two days, and 1 %
    come from a new device that identifies in the visit.
    """
    import pyspark.sql.functions as F

    from clickstream.contract import ORDER_COMPLETED

    seconds_per_visit = BURST * 86_400 / EVENTS_PER_DAY
    i = F.col("id")
    visit = F.floor(i / BURST)
    step = i % BURST
    user = F.concat(F.lit("u"), (visit * 7919 % USERS).cast("string"))

    def share(salt: str):  # a uniform number in [0, 1) per visit
        return F.abs(F.xxhash64(visit, F.lit(salt))) % 1000 / 1000.0

    new_device = F.lit(late) & (share("device") < NEW_DEVICE_SHARE)
    shift = F.when(
        F.lit(late) & (share("late") < LATE_SHARE), F.abs(F.xxhash64(visit)) % LATE_MAX_S
    ).otherwise(0)
    ts = F.timestamp_seconds(visit * seconds_per_visit + step * 60 - shift)
    anonymous = share("anonymous") < 0.3
    first_visit = visit < USERS
    identify = (step == 0) & (first_visit | new_device)
    device = F.when(new_device, F.concat(F.lit("n"), visit.cast("string"))).otherwise(
        F.concat(F.lit("a"), user)
    )
    event_type = F.when(identify, "identify").when(step == BURST - 1, "track").otherwise("page")
    return spark.range(first, first + count).select(
        F.concat(F.lit("e"), i.cast("string")).alias("event_id"),
        event_type.alias("event_type"),
        F.when(event_type == "track", F.lit(ORDER_COMPLETED)).alias("event_name"),
        F.when(identify | ~anonymous, user).alias("user_key"),
        device.alias("anonymous_key"),
        ts.alias("event_ts"),
        F.to_date(ts).alias("event_date"),
        F.when(event_type == "page", F.concat(F.lit("/p"), (step).cast("string"))).alias(
            "page_path"
        ),
        F.create_map().cast("map<string,string>").alias("properties"),
    )


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(spark, history: int, batch_size: int, workdir: Path) -> dict:
    from clickstream.gold_sessions import build_sessions, identity_links
    from clickstream.gold_sessions_incremental import apply_sessions_batch

    root = workdir / str(history)
    shutil.rmtree(root, ignore_errors=True)
    past = silver_events(spark, 0, history, late=False)
    batch = silver_events(spark, history, batch_size, late=True)
    past.unionByName(batch).write.parquet(str(root / "silver"))
    batch.write.parquet(str(root / "batch"))
    build_sessions(past).write.parquet(str(root / "sessions"))
    identity_links(past).write.parquet(str(root / "links"))

    def read(name: str):
        return spark.read.parquet(str(root / name))

    changes = []

    def incremental() -> None:
        inputs = (read("sessions"), read("links"), read("silver"), read("batch"))
        changes.append(apply_sessions_batch(*inputs))
        for frame in (changes[0].upserts, changes[0].deletes, changes[0].link_upserts):
            frame.write.format("noop").mode("overwrite").save()

    incremental_s = _timed(incremental)
    change = changes[0]
    reads = {name: frame.count() for name, frame in change.reads.items()}
    full_s = _timed(
        lambda: build_sessions(read("silver")).write.format("noop").mode("overwrite").save()
    )
    return {
        "history": history,
        "batch": batch_size,
        "incremental_rows_read": sum(reads.values()),
        "incremental_reads": reads,
        "incremental_s": round(incremental_s, 1),
        "upserts": change.upserts.count(),
        "deletes": change.deletes.count(),
        "full_rows_read": read("silver").count(),
        "full_s": round(full_s, 1),
        "stored_sessions": read("sessions").count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, nargs="+", default=[200_000, 2_000_000])
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("clickstream-benchmark-sessions")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        results = [measure(spark, n, args.batch, WORKDIR) for n in args.history]
    finally:
        spark.stop()

    table = Table(title=f"gold_sessions: one {args.batch:,}-event batch")
    for column in ("history", "incremental rows read", "incremental s", "full rows read", "full s"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            f"{r['history']:,}",
            f"{r['incremental_rows_read']:,}",
            f"{r['incremental_s']}",
            f"{r['full_rows_read']:,}",
            f"{r['full_s']}",
        )
    Console().print(table)
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
