"""Command-line tools: ``clickstream-local`` (open-source Spark) and ``clickstream-cloud``."""
