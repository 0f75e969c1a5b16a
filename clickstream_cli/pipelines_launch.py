"""How ``clickstream-local run`` starts the pipelines CLI: one JVM, sized, no launcher JVM.

``spark-pipelines run`` is a shell script that starts a launcher JVM
(``org.apache.spark.deploy.SparkPipelines``). That JVM only turns its arguments into
``spark-submit`` arguments (``--remote local``, ``spark.api.mode=connect``) and runs
``pyspark/pipelines/cli.py`` in a Python child; the Python side then starts the Spark Connect
server, where every query runs, as a second JVM (``pyspark/java_gateway.py``: ``spark-submit``
with a ``--conf`` per setting, then ``$PYSPARK_SUBMIT_ARGS``). The launcher JVM cost 3-5 s of
start-up and 150-250 MB of resident memory for nothing else, and ``--driver-memory`` sized both
JVMs.

So the same ``cli.py`` runs directly, with what the launcher would have passed it set in the
environment (read by ``SparkSession.builder`` in ``pyspark/sql/session.py`` and by
``java_gateway``):

* ``SPARK_REMOTE=local[*]``: start a local Connect server with every core;
* ``PYSPARK_SUBMIT_ARGS``: the server's ``spark-submit`` arguments: the static settings (the
  persistent catalog of HOME), ``spark.ui.enabled=false`` (no UI in a batch run) and
  ``--driver-memory``, the server's heap.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

# The Connect server's heap (where the work runs) and the peer benchmark's driver memory.
DEFAULT_DRIVER_MEMORY = "1g"
MASTER = "local[*]"  # spark-pipelines' own default is `local`: one core


def pipelines_cli() -> Path:
    """``pyspark/pipelines/cli.py`` of this environment: what ``spark-pipelines`` runs."""
    import importlib.util

    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("pyspark is not installed in this environment")
    return Path(spec.origin).parent / "pipelines" / "cli.py"


def submit_arguments(static_conf: Mapping[str, str], driver_memory: str) -> str:
    """``PYSPARK_SUBMIT_ARGS`` for the Connect server JVM."""
    settings = {**static_conf, "spark.ui.enabled": "false"}
    parts = [f"--conf {shlex.quote(f'{key}={value}')}" for key, value in settings.items()]
    return " ".join([*parts, "--driver-memory", shlex.quote(driver_memory), "pyspark-shell"])


def pipelines_command(
    spec: Path,
    static_conf: Mapping[str, str],
    driver_memory: str,
    full_refresh: Sequence[str] = (),
    refresh: Sequence[str] = (),
) -> list[str]:
    """``env ... python cli.py run --spec SPEC``: ``env`` sets the launcher's settings and
    execs, so the process tree is this Python and the server JVM. ``full_refresh`` names the
    datasets to reset and recompute, ``refresh`` those to update in the same run; neither: an
    incremental run of every dataset."""
    environment = {
        "SPARK_REMOTE": MASTER,
        "PYSPARK_SUBMIT_ARGS": submit_arguments(static_conf, driver_memory),
    }
    command = [
        "env",
        *[f"{key}={value}" for key, value in environment.items()],
        sys.executable,
        str(pipelines_cli()),
        "run",
        "--spec",
        str(spec),
    ]
    if full_refresh:
        command += ["--full-refresh", ",".join(full_refresh)]
    if refresh:
        command += ["--refresh", ",".join(refresh)]
    return command
