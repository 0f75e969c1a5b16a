"""Test helper: import the transformation files the way a pipeline runner does, with no runner.

Each file under ``pipeline/transformations`` runs with ``spark`` injected as a global (a fake
session whose ``spark.conf`` answers from the given pipeline configuration) and the
``pyspark.pipelines`` functions replaced by recorders, so a test sees the graph a platform would
receive: dataset names and arguments, query functions, expectations, flows.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from unittest.mock import MagicMock

from pyspark import pipelines as dp

TRANSFORMATIONS = Path(__file__).resolve().parents[2] / "pipeline" / "transformations"
DECORATORS = ("table", "materialized_view", "temporary_view")
CALLS = ("create_streaming_table", "create_auto_cdc_flow")


class Graph:
    """Records what the transformation files declare through ``pyspark.pipelines``."""

    def __init__(self, monkeypatch, databricks: bool) -> None:
        self.datasets: dict[str, dict] = {}
        self.queries: dict[str, object] = {}
        self.expectations: dict[str, dict] = {}
        self.calls: list[tuple[str, dict]] = []
        self.spark = MagicMock(name="spark")
        for kind in DECORATORS:
            monkeypatch.setattr(dp, kind, self._decorator(kind))
        for name in CALLS:
            monkeypatch.setattr(dp, name, self._call(name))
        if databricks:
            monkeypatch.setattr(dp, "expect_all", self._expect_all, raising=False)
        else:  # open-source Spark has no expectations: using one must fail the test
            monkeypatch.delattr(dp, "expect_all", raising=False)

    def _decorator(self, kind):
        def decorator(**kwargs):
            def register(function):
                name = kwargs["name"]
                self.datasets[name] = {"kind": kind, **kwargs}
                self.queries[name] = function
                if getattr(function, "_expectations", None):
                    self.expectations[name] = function._expectations

            return register

        return decorator

    def _call(self, name):
        def record(**kwargs):
            self.calls.append((name, kwargs))

        return record

    def _expect_all(self, rules):
        def mark(function):
            function._expectations = dict(rules)
            return function

        return mark

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
