"""Which refresh technique each materialized view's update chose, from the event log.

Databricks writes one ``planning_information`` event per materialized view and update (pipeline
event log schema): ``details.planning_information.technique_information`` lists the techniques
considered, the chosen one with ``is_chosen``, and the ``incrementalization_issues`` that kept a
view from an incremental refresh. ``MAINTENANCE_TYPE_COMPLETE_RECOMPUTE`` is a full recompute;
``MAINTENANCE_TYPE_NO_OP`` means nothing changed; every other type is incremental.

A complete recompute is warned about, naming the issues that caused it, except for views declared
as a full refresh on purpose (``FULL_REFRESH_VIEWS``) and a view's first computation
(``CHANGE_SET_MISSING``: there is nothing to be incremental from).

The events arrive through ``pipeline_updates.follow``'s ``on_events`` hook
(:meth:`RefreshReport.add_all`): each event of the update once, in order, so the event log is read
once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from clickstream.contract import FULL_REFRESH_VIEWS
from clickstream_cli.pipeline_updates import short_name

PLANNING_INFORMATION = "planning_information"
COMPLETE_RECOMPUTE = "COMPLETE_RECOMPUTE"
NO_OP = "NO_OP"
FIRST_COMPUTATION = "CHANGE_SET_MISSING"
_PREFIX = "MAINTENANCE_TYPE_"


@dataclass
class Planning:
    """The technique one update chose for one materialized view, and why not incremental."""

    table: str
    technique: str
    issues: list[str] = field(default_factory=list)

    @property
    def incremental(self) -> bool:
        return self.technique not in (COMPLETE_RECOMPUTE, NO_OP)

    @property
    def fallback(self) -> bool:
        """A complete recompute that was neither declared nor the view's first computation."""
        return (
            self.technique == COMPLETE_RECOMPUTE
            and self.table not in FULL_REFRESH_VIEWS
            and FIRST_COMPUTATION not in self.issues
        )

    def verdict(self) -> str:
        if self.technique == NO_OP:
            return "unchanged"
        if self.incremental:
            return "incremental"
        if self.table in FULL_REFRESH_VIEWS:
            return "full refresh (declared)"
        if FIRST_COMPUTATION in self.issues:
            return "full refresh (first computation)"
        return "FULL RECOMPUTE"


def _issue(issue: dict) -> str:
    """``PLAN_NOT_INCREMENTALIZABLE/AGGREGATE_NOT_TOP_NODE (Join)`` and the like."""
    text = str(issue.get("issue_type") or "UNKNOWN_ISSUE")
    detail = (
        issue.get("plan_not_incrementalizable_sub_type")
        or issue.get("plan_not_deterministic_sub_type")
        or issue.get("cost_model_rejection_subtype")
    )
    if detail:
        text += f"/{detail}"
    where = issue.get("operator_name") or issue.get("expression_name")
    return f"{text} ({where})" if where else text


def planning_of(event: dict) -> Planning | None:
    """The chosen technique of a ``planning_information`` event; None for any other event."""
    if event.get("event_type") != PLANNING_INFORMATION:
        return None
    origin = event.get("origin") or {}
    name = origin.get("dataset_name") or origin.get("flow_name")
    details = (event.get("details") or {}).get(PLANNING_INFORMATION) or {}
    techniques = details.get("technique_information") or []
    chosen = next((t for t in techniques if t.get("is_chosen")), None)
    if not name or chosen is None:
        return None
    technique = str(chosen.get("maintenance_type") or "UNKNOWN").removeprefix(_PREFIX)
    # The issues that prevented incrementalization, from every technique considered.
    issues = [
        _issue(issue)
        for t in techniques
        for issue in t.get("incrementalization_issues") or []
        if issue.get("prevent_incrementalization", True)
    ]
    return Planning(short_name(name), technique, list(dict.fromkeys(issues)))


class RefreshReport:
    """The chosen technique per materialized view over one update (the last event wins)."""

    def __init__(self) -> None:
        self.plannings: dict[str, Planning] = {}

    def add(self, event: dict) -> None:
        planning = planning_of(event)
        if planning is not None:
            self.plannings[planning.table] = planning

    def add_all(self, events: list[dict]) -> None:
        """The ``on_events`` hook of ``pipeline_updates.follow``: each event once, in order."""
        for event in events:
            self.add(event)

    def warnings(self) -> list[str]:
        return [
            f"{p.table} was fully recomputed instead of refreshed incrementally: "
            + (", ".join(p.issues) or "the event log names no reason")
            for p in self.plannings.values()
            if p.fallback
        ]

    def print(self, console: Console) -> None:
        """A table of the techniques, then one warning line per unplanned full recompute."""
        if not self.plannings:
            return
        table = Table(title="Refresh technique per materialized view", title_justify="left")
        for column in ("table", "technique", "refresh", "why not incremental"):
            table.add_column(column)
        for p in sorted(self.plannings.values(), key=lambda p: p.table):
            table.add_row(p.table, p.technique, p.verdict(), ", ".join(p.issues))
        console.print(table)
        for warning in self.warnings():
            console.print(f"warning: {warning}", style="bold yellow", highlight=False)
