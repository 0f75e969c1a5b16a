"""Test helper: import the transformation files the way a pipeline runner does, with no runner.

Each file under ``pipeline/transformations`` runs with ``spark`` injected as a global (a fake
session whose ``spark.conf`` answers from the given pipeline configuration) and the
``pyspark.pipelines`` functions replaced by recorders, so a test sees the graph a platform would
receive: dataset names and arguments, query functions, expectations, flows.
"""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path
from unittest.mock import MagicMock

from pyspark import pipelines as dp

TRANSFORMATIONS = Path(__file__).resolve().parents[2] / "pipeline" / "transformations"
DECORATORS = ("table", "materialized_view", "temporary_view")
CALLS = ("create_streaming_table", "create_auto_cdc_flow", "append_flow")
EXPECTATIONS = (
    "expect", "expect_or_drop", "expect_or_fail",
    "expect_all", "expect_all_or_drop", "expect_all_or_fail",
)  # fmt: skip

# Keyword arguments each call accepts: the installed open-source pyspark.pipelines signature plus
# what the Databricks Python reference adds ("table", "materialized_view",
# "create_streaming_table", "create_auto_cdc_flow", "append_flow" pages). A misspelt argument,
# or one only Databricks knows used locally, fails the test that declares it.
_DATABRICKS_TABLE = {"path", "cluster_by_auto", "row_filter", "private"}
DATABRICKS_EXTRAS: dict[str, set[str]] = {
    "table": _DATABRICKS_TABLE,
    "materialized_view": _DATABRICKS_TABLE | {"refresh_policy"},
    "temporary_view": set(),
    "create_streaming_table": {
        "spark_conf", "path", "cluster_by_auto", "row_filter",
        "expect_all", "expect_all_or_drop", "expect_all_or_fail",
    },
    "create_auto_cdc_flow": {"ignore_null_updates", "apply_as_truncates", "once"},
    "append_flow": {"once", "comment"},
}  # fmt: skip
# The expectation decorators exist only on Databricks (Python expectations reference).
EXPECTATION_PARAMETERS = {
    "expect": ("description", "constraint"),
    "expect_or_drop": ("description", "constraint"),
    "expect_or_fail": ("description", "constraint"),
    "expect_all": ("expectations",),
    "expect_all_or_drop": ("expectations",),
    "expect_all_or_fail": ("expectations",),
}
# The Python ``refresh_policy`` values (Beta; the REFRESH POLICY clause's AUTO, INCREMENTAL,
# INCREMENTAL STRICT, FULL as the Python API spells them).
REFRESH_POLICIES = ("auto", "incremental", "incremental_strict", "full")
_OPEN_SOURCE = {name: inspect.signature(getattr(dp, name)) for name in DECORATORS + CALLS}
# Databricks only (Python reference "foreach_batch_sink", Public Preview): a decorator taking an
# optional ``name`` over a handler called as ``handler(df, batch_id)``.
SINK_PARAMETERS = {"name"}
SINK_HANDLER_PARAMETERS = ["df", "batch_id"]


def accepted(name: str, databricks: bool) -> set[str]:
    """Keyword arguments ``dp.<name>`` accepts on the platform."""
    params = set(_OPEN_SOURCE[name].parameters) - {"query_function"}
    return params | DATABRICKS_EXTRAS[name] if databricks else params


def _check(name: str, allowed: set[str], kwargs: dict) -> None:
    unknown = set(kwargs) - allowed
    if unknown:
        raise TypeError(f"dp.{name}() got unexpected keyword arguments {sorted(unknown)}")


class Graph:
    """Records what the transformation files declare through ``pyspark.pipelines``."""

    def __init__(self, monkeypatch, databricks: bool) -> None:
        self.databricks = databricks
        self.datasets: dict[str, dict] = {}
        self.queries: dict[str, object] = {}
        self.expectations: dict[str, dict] = {}
        self.calls: list[tuple[str, dict]] = []
        self.sinks: dict[str, object] = {}
        self.flows: dict[str, object] = {}
        self.spark = MagicMock(name="spark")
        for kind in DECORATORS:
            monkeypatch.setattr(dp, kind, self._decorator(kind))
        for name in CALLS:
            monkeypatch.setattr(dp, name, self._call(name))
        if databricks:
            monkeypatch.setattr(dp, "foreach_batch_sink", self._sink, raising=False)
        else:  # open-source Spark has no ForEachBatch sink
            monkeypatch.delattr(dp, "foreach_batch_sink", raising=False)
        for name in EXPECTATIONS:
            if databricks:
                monkeypatch.setattr(dp, name, self._expectation(name), raising=False)
            else:  # open-source Spark has no expectations: using one must fail the test
                monkeypatch.delattr(dp, name, raising=False)

    def _decorator(self, kind):
        def decorator(**kwargs):
            _check(kind, accepted(kind, self.databricks), kwargs)
            policy = kwargs.get("refresh_policy", "auto")
            if policy not in REFRESH_POLICIES:
                raise ValueError(f"refresh_policy must be one of {REFRESH_POLICIES}: {policy!r}")

            def register(function):
                name = kwargs["name"]
                self.datasets[name] = {"kind": kind, **kwargs}
                self.queries[name] = function
                if getattr(function, "_expectations", None):
                    self.expectations[name] = function._expectations

            return register

        return decorator

    def _sink(self, **kwargs):
        _check("foreach_batch_sink", SINK_PARAMETERS, kwargs)

        def register(handler):
            if len(inspect.signature(handler).parameters) != len(SINK_HANDLER_PARAMETERS):
                raise TypeError("a ForEachBatch handler takes (df, batch_id)")
            self.sinks[kwargs.get("name", handler.__name__)] = handler

        return register

    def _call(self, name):
        def record(*args, **kwargs):
            bound = (
                _OPEN_SOURCE[name]
                .replace(
                    parameters=[
                        p
                        for p in _OPEN_SOURCE[name].parameters.values()
                        if p.kind is not inspect.Parameter.KEYWORD_ONLY
                    ]
                )
                .bind_partial(*args)
            )  # positional arguments by their documented names
            kwargs = {**bound.arguments, **kwargs}
            _check(name, accepted(name, self.databricks), kwargs)
            self.calls.append((name, kwargs))
            if name == "append_flow":  # a decorator: the flow's query function follows

                def register(function):
                    self.flows[kwargs.get("name") or function.__name__] = function

                return register

        return record

    def _expectation(self, name):
        parameters = [
            inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            for p in EXPECTATION_PARAMETERS[name]
        ]
        signature = inspect.Signature(parameters)

        def expectation(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)  # TypeError on anything else
            rules = bound.arguments.get("expectations") or {
                bound.arguments["description"]: bound.arguments["constraint"]
            }

            def mark(function):
                function._expectations = {**getattr(function, "_expectations", {}), **rules}
                return function

            return mark

        return expectation

    def called(self, name: str) -> list[dict]:
        return [kwargs for called, kwargs in self.calls if called == name]


def load_graph(monkeypatch, conf: dict, *files: str) -> Graph:
    """Import the named transformation files (all of them by default) under ``conf``."""
    from clickstream import runtime

    graph = Graph(monkeypatch, databricks=conf.get(runtime.RUNTIME_KEY) == runtime.DATABRICKS)
    graph.spark.conf.get.side_effect = lambda key, default=None: conf.get(key, default)
    paths = [TRANSFORMATIONS / f"{f}.py" for f in files] or sorted(TRANSFORMATIONS.glob("*.py"))
    for path in paths:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        module.__dict__["spark"] = graph.spark
        spec.loader.exec_module(module)
    return graph
