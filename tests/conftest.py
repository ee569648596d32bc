"""Fixtures come from core's pytest plugin (core.testing.pytest_plugin), registered as an entry point
so plugin packages get the same ones.

Hypothesis profiles: ``bounded`` (the test command's: derandomized, so a run is repeatable, and a
few examples per property, so the suite stays fast) and ``deep`` for release checks
(``pytest --hypothesis-profile=deep``: many random examples per property, a new draw every run).

The kit lets a run choose its backends (``--pilot-crm-backends=sqlite`` for a quick local run);
the product's own suite under ``CI=true`` refuses to run without PostgreSQL among them."""

import os

import pytest
from hypothesis import HealthCheck, settings

from core.testing.pytest_plugin import OPTION, chosen_backends

# Every request of a property runs through the app: no per-example deadline, no example database.
COMMON = {"database": None, "deadline": None, "suppress_health_check": list(HealthCheck)}
settings.register_profile("bounded", max_examples=8, derandomize=True, **COMMON)
settings.register_profile("deep", max_examples=300, derandomize=False, **COMMON)
settings.load_profile("bounded")  # --hypothesis-profile=deep loads the other one afterwards


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI", "").lower() == "true" and "postgres" not in chosen_backends(config):
        raise pytest.UsageError(f"CI=true runs every backend: {OPTION} must include postgres")
