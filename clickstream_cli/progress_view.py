"""Render update progress and update history with rich.

On a terminal the flow table redraws in place; elsewhere (CI logs, pipes) each change is printed as
one line and the final table once at the end, so logs stay readable. Off a terminal, rich would
assume 80 columns (or $COLUMNS) and wrap the update's URL and cut flow names with an ellipsis:
the log console is wide instead, and lines are only as long as their content.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import IO

from databricks.sdk.service.pipelines import UpdateInfo
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from clickstream_cli.pipeline_updates import FlowProgress, UpdateProgress

_STYLES = {
    "COMPLETED": "green",
    "RUNNING": "cyan",
    "STARTING": "cyan",
    "FAILED": "bold red",
    "CANCELED": "yellow",
    "STOPPED": "yellow",
    "SKIPPED": "dim",
    "EXCLUDED": "dim",
}


# Wide enough for any flow table; a table is only as wide as its content.
LOG_WIDTH = 240


def output_console(file: IO[str] | None = None) -> Console:
    """The console for command output: the terminal's width, or LOG_WIDTH in a log."""
    console = Console(file=file)
    return console if console.is_terminal else Console(file=file, width=LOG_WIDTH)


def styled(state: str) -> Text:
    return Text(state, style=_STYLES.get(state, ""))


def flow_table(progress: UpdateProgress) -> Table:
    title = f"update {progress.update_id}: {progress.state.value}"
    table = Table(title=title, title_justify="left")
    table.add_column("flow")
    table.add_column("status")
    table.add_column("rows written", justify="right")
    table.add_column("expectations (passed / failed)")
    for flow in progress.flows.values():
        table.add_row(flow.name, styled(flow.status), f"{flow.rows_written:,}", _expectations(flow))
    return table


def _expectations(flow: FlowProgress) -> Text:
    text = Text()
    for i, (name, count) in enumerate(flow.expectations.items()):
        if i:
            text.append("\n")
        text.append(f"{name} {count.passed:,} / ")
        text.append(f"{count.failed:,}", style="red" if count.failed else "")
    return text


def updates_table(updates: list[UpdateInfo]) -> Table:
    table = Table()
    for column in ("update", "state", "created (UTC)", "cause", "refresh"):
        table.add_column(column)
    for update in updates:
        state = update.state.value if update.state else "?"
        table.add_row(
            update.update_id or "?",
            styled(state),
            _timestamp(update.creation_time),
            update.cause.value if update.cause else "",
            _refresh(update),
        )
    return table


def _timestamp(millis: int | None) -> str:
    if not millis:
        return ""
    return datetime.fromtimestamp(millis / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def _refresh(update: UpdateInfo) -> str:
    if update.full_refresh:
        return "full refresh"
    if update.full_refresh_selection:
        return "full refresh: " + ", ".join(update.full_refresh_selection)
    if update.refresh_selection:
        return "tables: " + ", ".join(update.refresh_selection)
    return "all tables"


class ProgressView:
    """A context manager whose ``show`` method is the ``on_progress`` callback of ``follow``."""

    def __init__(self, console: Console):
        self._console = console
        self._live: Live | None = None

    def __enter__(self) -> ProgressView:
        if self._console.is_terminal:
            self._live = Live(console=self._console, auto_refresh=False)
            self._live.__enter__()
        return self

    def show(self, progress: UpdateProgress, changes: list[str]) -> None:
        for change in changes:
            self._console.print(f"  {change}", highlight=False)
        if self._live:
            self._live.update(flow_table(progress), refresh=True)

    def __exit__(self, *exc_info) -> None:
        if self._live:
            self._live.__exit__(*exc_info)
            self._live = None

    def final(self, progress: UpdateProgress) -> None:
        """The table once more, for output that did not redraw in place."""
        if not self._console.is_terminal:
            self._console.print(flow_table(progress))
