"""The HOME folder of a local run: where tables, checkpoints, metastore and logs live.

Both ``clickstream-local run`` (through ``spark-pipelines``) and ``clickstream-local show`` (through
a plain SparkSession) open the same persistent Hive metastore and warehouse from here, so a second
run continues where the first stopped and only reads new files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LOG4J2_PROPERTIES = """\
# Written by clickstream-local: keep Spark quiet; the run log keeps everything at WARN and above.
rootLogger.level = error
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
# A harmless INVALID_HANDLE.SESSION_CLOSED trace is logged after every completed run.
logger.connect.name = org.apache.spark.sql.connect
logger.connect.level = off
logger.hive.name = org.apache.hadoop.hive
logger.hive.level = off
logger.datanucleus.name = DataNucleus
logger.datanucleus.level = off
# A landing file Spark skips (ignoreCorruptFiles / ignoreMissingFiles) is named at WARN: the CLI
# records it as an unreadable file.
logger.filescan.name = org.apache.spark.sql.execution.datasources.FileScanRDD
logger.filescan.level = warn
"""


@dataclass(frozen=True)
class LocalHome:
    """Paths under HOME and the Spark settings that point a session at them."""

    root: Path

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def metastore(self) -> Path:
        return self.root / "metastore_db"

    @property
    def storage(self) -> Path:
        """Pipeline storage: streaming checkpoints and pipeline state."""
        return self.root / "storage"

    @property
    def pipeline_dir(self) -> Path:
        """The spec and the transformation files of the last run."""
        return self.root / "pipeline"

    @property
    def conf_dir(self) -> Path:
        return self.root / "conf"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def has_run(self) -> bool:
        return self.metastore.is_dir() and self.warehouse.is_dir()

    def prepare(self) -> None:
        """Create the folders and the quiet logging configuration."""
        for folder in (self.warehouse, self.storage, self.pipeline_dir, self.conf_dir, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)

    def static_spark_conf(self) -> dict[str, str]:
        """Settings that must be fixed when the JVM starts (persistent catalog).

        Keep this to the catalog: `spark-pipelines` silently dropped these settings when another
        one (`spark.ui.enabled` or `spark.driver.extraJavaOptions`) was passed beside them.
        """
        return {
            "spark.sql.catalogImplementation": "hive",
            "spark.sql.warehouse.dir": self.warehouse.as_uri(),
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={self.metastore};create=true"
            ),
        }
