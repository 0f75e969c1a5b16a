"""The one layer that reads the published tables for people.

``layout.yml`` and ``datasets/*.sql`` beside this package define every dataset and widget once;
the modules here render them: :mod:`dashboards.lakeview` as the AI/BI dashboard the Pulumi program
deploys, :mod:`dashboards.html_report` as the HTML file of ``clickstream-local report``, and
:mod:`dashboards.terminal` as the tables of ``clickstream-local show``. Nothing here imports
pyspark: :func:`dashboards.rows.run_datasets` takes the caller's session.
"""
