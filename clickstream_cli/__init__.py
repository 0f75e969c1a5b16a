"""Command-line tools: ``clickstream-local`` (run on open-source Spark) and ``clickstream-cloud``."""
