"""Fixtures shared by the integration tests that install the app as a release would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import build_app_wheel, built_once


@pytest.fixture(scope="session")
def app_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's wheel, built once per run from a copy of the source tree (once for all workers)."""
    return built_once(tmp_path_factory, "app-wheel", build_app_wheel)
