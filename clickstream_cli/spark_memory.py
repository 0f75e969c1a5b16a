"""How much memory the JVMs of a local run get (no pyspark: read before any JVM starts).

``spark-pipelines run`` starts two JVMs. The launcher (``spark-class ...SparkPipelines``, which
calls ``SparkSubmit`` in-process and starts the pipelines CLI's Python) only launches; that
Python then starts the Spark Connect server, where every query runs, as another
``spark-submit`` (``pyspark/java_gateway.py``: ``--conf`` for each setting, then
``$PYSPARK_SUBMIT_ARGS``). ``spark-pipelines --driver-memory X`` gives both JVMs ``-Xmx X``
(the launcher's ``spark.driver.memory`` is handed on to the server).

So the memory is set per JVM through the environment instead:

* ``SPARK_DRIVER_MEMORY``: read by the launcher's command builder when no
  ``spark.driver.memory`` is set (``SparkSubmitCommandBuilder``), so it sizes the launcher;
* ``PYSPARK_SUBMIT_ARGS`` (``--driver-memory X pyspark-shell``): read only by the Python side
  when it starts the server, after the ``--conf`` list, so it wins there; the server also gets
  ``spark.ui.enabled=false`` this way (no UI in a batch run; settings passed to
  ``spark-pipelines`` beside the catalog ones were dropped, see ``LocalHome``).

Measured in docs/benchmarks.md ("Memory"). The server's heap stays at 1g: see there.
"""

from __future__ import annotations

# The Connect server's heap (where the work runs) and the peer benchmark's driver.
DEFAULT_DRIVER_MEMORY = "1g"
# The launcher JVM only starts processes and relays their output.
LAUNCHER_MEMORY = "256m"


def launcher_environment(driver_memory: str = DEFAULT_DRIVER_MEMORY) -> dict[str, str]:
    """Environment for ``spark-pipelines`` (given no ``--driver-memory``): a small launcher
    heap, ``driver_memory`` for the Spark Connect server, no Spark UI."""
    return {
        "SPARK_DRIVER_MEMORY": LAUNCHER_MEMORY,
        "PYSPARK_SUBMIT_ARGS": (
            f"--conf spark.ui.enabled=false --driver-memory {driver_memory} pyspark-shell"
        ),
    }
