"""Each Gold view's optimized plan has a shape Databricks can refresh incrementally.

The shapes that block an incremental refresh are documented by Databricks:
``MATERIALIZED_VIEW_NOT_INCREMENTALIZABLE`` error condition (AGGREGATE_NOT_TOP_NODE: "GROUP BY with
complex expressions above it is not supported", EXPRESSION_NOT_DETERMINISTIC,
WINDOW_WITHOUT_PARTITION_BY) and the pipeline event log schema's ``planning_information``
(PlanNotIncrementalizableSubType: AGGREGATE_NOT_TOP_NODE, AGGREGATE_WITH_DISTINCT,
WINDOW_FUNCTION_NOT_TOP_LEVEL, WINDOW_FUNCTION_WITHOUT_PARTITION_BY; IssueType:
MAP_TYPE_NOT_SUPPORTED; MaintenanceType: GROUP_AGGREGATE for aggregates at the top,
WINDOW_FUNCTION for top-level window functions with PARTITION BY). Sources and dates are in
docs/platform-notes.md. Inputs are parquet tables, as a pipeline reads tables: in-memory frames
would be folded into constants by the optimizer and hide the plan.

Conservative where the docs are silent: an explode (Generate) under an aggregate and an
expression wrapped around an aggregate function both fail the check.
"""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from clickstream import gold_daily_metrics, gold_quality_daily
from clickstream.gold_sessions import identity_links
from clickstream.schema import BRONZE_SCHEMA, SILVER_SCHEMA

AGGREGATE, WINDOW, GENERATE = "Aggregate", "Window", "Generate"
DEFINING = ("Project", AGGREGATE, WINDOW, GENERATE)  # operators that make new columns


def _children(node) -> list:
    seq = node.children()
    return [seq.apply(i) for i in range(seq.size())]


def _walk(node):
    yield node
    for child in _children(node):
        yield from _walk(child)


def _name(node) -> str:
    return node.nodeName()


def optimized(frame):
    return frame._jdf.queryExecution().optimizedPlan()


def _is_map(data_type) -> bool:
    return data_type.typeName() == "map"


def _seq(scala_seq) -> list:
    return [scala_seq.apply(i) for i in range(scala_seq.size())]


def shape_problems(plan, top: str) -> list[str]:
    """What in ``plan`` the docs name as blocking, for a view whose top is ``top``."""
    problems = []
    root = plan
    if top == AGGREGATE and _name(root) != AGGREGATE:
        problems.append(f"AGGREGATE_NOT_TOP_NODE: the top operator is {_name(root)}")
    if top == WINDOW:
        below = _children(root)
        if not (_name(root) == WINDOW or (below and _name(below[0]) == WINDOW)):
            problems.append(f"WINDOW_FUNCTION_NOT_TOP_LEVEL: the top operator is {_name(root)}")
    for node in _walk(root):
        name = _name(node)
        if node is not root and name == AGGREGATE:
            problems.append("AGGREGATE_NOT_TOP_NODE: an aggregate under another operator")
        if name == WINDOW and node is not root and top != WINDOW:
            problems.append("WINDOW_FUNCTION_NOT_TOP_LEVEL: a window under an aggregate")
        if name == WINDOW and node.partitionSpec().isEmpty():
            problems.append("WINDOW_FUNCTION_WITHOUT_PARTITION_BY")
        if name == GENERATE and top == AGGREGATE:
            problems.append("OPERATOR_NOT_SUPPORTED (conservative): explode under the aggregate")
        if name == AGGREGATE:
            for expression in _seq(node.aggregateExpressions()):
                text = expression.toString()
                if "DISTINCT" in text.upper():
                    problems.append(f"AGGREGATE_WITH_DISTINCT: {text}")
                inner = _seq(expression.children())
                is_plain = expression.nodeName() == "AttributeReference" or (
                    expression.nodeName() == "Alias"
                    and inner
                    and inner[0].nodeName() in ("AggregateExpression", "AttributeReference")
                )
                if not is_plain:
                    problems.append(f"AGGREGATE_NOT_TOP_NODE: an expression over {text}")
        for expression in _seq(node.expressions()):
            if not expression.deterministic():
                problems.append(f"EXPRESSION_NOT_DETERMINISTIC: {expression.toString()}")
        if _children(node):  # a scan (and a filter on it) lists every column: what reads or
            # makes a map is the problem
            made = _seq(node.output()) if name in DEFINING else []
            used = _seq(node.references().toSeq()) + made
            problems += [
                f"MAP_TYPE_NOT_SUPPORTED: {a.name()}" for a in used if _is_map(a.dataType())
            ]
    return problems


@pytest.fixture(scope="module")
def tables(spark, tmp_path_factory):
    """Empty parquet tables with the schemas the pipeline's tables have."""
    root = tmp_path_factory.mktemp("shapes")

    def table(name: str, schema):
        path = str(root / name)
        spark.createDataFrame([], schema).write.parquet(path)
        return spark.read.parquet(path)

    silver = table("silver", SILVER_SCHEMA)
    links = table("links", identity_links(silver).schema)
    starts = table("starts", gold_daily_metrics.session_starts(silver, links).schema)
    identities = table("identities", gold_daily_metrics.daily_identities(starts).schema)
    bronze_schema = f"{BRONZE_SCHEMA.simpleString()[7:-1]}, failed_rules array<string>"
    bronze = table("bronze", bronze_schema)
    return {
        "silver": silver,
        "links": links,
        "starts": starts,
        "identities": identities,
        "bronze": bronze,
        "ledger": table("ledger", gold_quality_daily.quality_ledger(bronze).schema),
    }


VIEWS = {
    "gold_identity_links": (AGGREGATE, lambda t: identity_links(t["silver"])),
    "gold_session_starts": (
        WINDOW,
        lambda t: gold_daily_metrics.session_starts(t["silver"], t["links"]),
    ),
    "gold_daily_identities": (
        AGGREGATE,
        lambda t: gold_daily_metrics.daily_identities(t["starts"]),
    ),
    "gold_daily_counts": (
        AGGREGATE,
        lambda t: gold_daily_metrics.daily_counts(t["silver"], t["identities"]),
    ),
    "gold_quality_counts": (
        AGGREGATE,
        lambda t: gold_quality_daily.quality_counts(t["ledger"], t["silver"]),
    ),
}


@pytest.mark.parametrize("view", VIEWS)
def test_incremental_gold_view_has_no_shape_the_docs_name_as_blocking(tables, view):
    top, build = VIEWS[view]

    assert shape_problems(optimized(build(tables)), top) == []


@pytest.mark.parametrize(
    ("bad", "top", "problem"),
    [
        (lambda t: t["silver"].groupBy("event_date").count().selectExpr("count + 1 AS c"),
         AGGREGATE, "AGGREGATE_NOT_TOP_NODE"),
        (lambda t: t["silver"].groupBy("event_date").agg(F.count_distinct("user_key")),
         AGGREGATE, "AGGREGATE_WITH_DISTINCT"),
        (lambda t: t["silver"].groupBy("event_date").agg({"event_ts": "max"}).join(
            t["silver"].groupBy("event_date").count(), "event_date"), AGGREGATE,
         "AGGREGATE_NOT_TOP_NODE"),
        (lambda t: t["silver"].selectExpr("event_date", "properties['revenue'] AS r")
         .groupBy("event_date").agg({"r": "max"}), AGGREGATE, "MAP_TYPE_NOT_SUPPORTED"),
        (lambda t: t["starts"].selectExpr("event_date", "rank() OVER (ORDER BY event_date) n"),
         WINDOW, "WINDOW_FUNCTION_WITHOUT_PARTITION_BY"),
    ],
)  # fmt: skip
def test_the_shape_check_finds_what_the_docs_name(tables, bad, top, problem):
    assert any(p.startswith(problem) for p in shape_problems(optimized(bad(tables)), top))


def test_the_old_daily_metrics_shape_would_fail_the_check(tables):
    """Before: a count(DISTINCT) per day joined to event counts, over map access."""
    silver = tables["silver"]
    users = silver.groupBy("event_date").agg(F.count_distinct("user_key"))
    revenue = (
        silver.selectExpr("event_date", "properties['revenue'] AS r")
        .groupBy("event_date")
        .agg({"r": "max"})
    )

    assert shape_problems(optimized(users.join(revenue, "event_date", "full")), AGGREGATE)


@pytest.mark.parametrize(
    ("build", "day"),
    [
        (lambda t: gold_daily_metrics.daily_metrics(
            gold_daily_metrics.daily_counts(t["silver"], t["identities"])), "event_date"),
        (lambda t: gold_quality_daily.quality_daily(
            gold_quality_daily.quality_counts(t["ledger"], t["silver"])),
         "ingest_date"),
    ],
)  # fmt: skip
def test_a_full_refresh_view_only_reshapes_a_table_of_one_row_per_day(tables, build, day):
    """Declared full refresh, so it must stay cheap: above its per-day source (a GROUP BY the
    day alone) there is no other aggregate and no join."""
    nodes = list(_walk(optimized(build(tables))))
    first_aggregate = next(i for i, n in enumerate(nodes) if _name(n) == AGGREGATE)
    keys = [k.toString() for k in _seq(nodes[first_aggregate].groupingExpressions())]

    assert [k.split("#")[0] for k in keys] == [day]
    assert not {"Aggregate", "Join"} & {_name(n) for n in nodes[:first_aggregate]}
