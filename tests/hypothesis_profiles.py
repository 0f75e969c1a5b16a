"""Hypothesis profiles: how many examples a property test tries, by ``HYPOTHESIS_PROFILE``.

``default`` (``make test``, the PR check) keeps Hypothesis' own 100 examples for pure-Python
properties; ``ci-deep`` (``make test-deep``, for a nightly run) tries ten times as many. A property
whose every example runs Spark jobs (seconds each) tries a fixed fraction of the profile's count
(:func:`spark_property`): 4 by default, 40 in ``ci-deep``. The profile is loaded when this module is
first imported (by ``tests/conftest.py``, before any test module), so ``settings.default`` is
already the chosen profile when a test module's decorators run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE_ENV = "HYPOTHESIS_PROFILE"
settings.register_profile("default", max_examples=100)
settings.register_profile("ci-deep", max_examples=1000)
settings.load_profile(os.environ.get(PROFILE_ENV, "default"))

# One Spark example costs as much as this many pure-Python examples.
SPARK_EXAMPLE_COST = 25


def spark_property(**overrides: object) -> settings:
    """Settings for a property test whose examples each run Spark jobs on the test session."""
    values: dict[str, object] = {
        "max_examples": max(1, settings.default.max_examples // SPARK_EXAMPLE_COST),
        "deadline": None,  # one example is a few Spark jobs: seconds, and slower under load
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    }
    return settings(**{**values, **overrides})
