"""Fixtures come from core's pytest plugin (core.testing.pytest_plugin), registered as an entry point
so plugin packages get the same ones.

Hypothesis profiles: ``bounded`` (the test command's: derandomized, so a run is repeatable, and a
few examples per property, so the suite stays fast) and ``deep`` for release checks
(``pytest --hypothesis-profile=deep``: many random examples per property, a new draw every run).

The kit lets a run choose its backends (``--pilot-crm-backends=sqlite`` for a quick local run);
the product's own suite under ``CI=true`` refuses to run without PostgreSQL among them.

``pytest`` alone runs in parallel with pytest-xdist: ``-n auto`` (one worker per core and one more, at most
``MAX_WORKERS``) and ``--dist loadfile``, so a module's tests on one backend, and their module-scoped
tenants, stay on one worker; the browser suite is one unit (one served app, one Chromium). The
defaults are set here rather than in ``addopts`` so that ``-p no:xdist`` still works; ``-n 0`` runs
serially, and a ``-n`` or ``--dist`` given on the command line wins."""

import compileall
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from core.testing.pytest_plugin import BACKENDS, OPTION, chosen_backends

# Every request of a property runs through the app: no per-example deadline, no example database.
COMMON = {"database": None, "deadline": None, "suppress_health_check": list(HealthCheck)}
settings.register_profile("bounded", max_examples=8, derandomize=True, **COMMON)
settings.register_profile("deep", max_examples=300, derandomize=False, **COMMON)
settings.load_profile("bounded")  # --hypothesis-profile=deep loads the other one afterwards


ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI", "").lower() == "true" and "postgres" not in chosen_backends(config):
        raise pytest.UsageError(f"CI=true runs every backend: {OPTION} must include postgres")
    if not hasattr(config, "workerinput"):
        keep_bytecode()


def keep_bytecode() -> None:
    """Let the run's processes cache compiled modules, whatever the environment says.

    The suite starts several hundred ``pilot-crm`` processes (CLI commands, servers, plugin checks).
    Where ``PYTHONDONTWRITEBYTECODE`` is set (some CI images set it), each of them compiled the
    project's modules from source again: measured, 2.1 s against 1.25 s for ``pilot-crm plugins
    list``. The project is compiled once here; the workers and every process they start inherit
    the environment without the variable."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    for package in ("core", "plugins"):
        compileall.compile_dir(ROOT / package, quiet=1, workers=0)


# Each worker builds tenants of its own on the one shared PostgreSQL; measured on 2 cores, capped with margin.
MAX_WORKERS = 4
# Suites run as one unit on one worker: their package-scoped fixtures are built once, not per worker.
SINGLE_UNITS = ("tests/browser/",)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Default to ``-n auto --dist loadfile`` when xdist is loaded and no ``-n`` was given (never in
    a worker: xdist clears a worker's ``-n``)."""
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    if config.option.numprocesses is not None:
        return
    config.option.numprocesses = "auto"
    if config.option.dist == "no":
        config.option.dist = "loadfile"
        config.option.loadscopereorder = False  # keep the order below: slow modules first


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules marked ``slow`` run first, each kept whole: the workers start on them, so a parallel
    run does not end with one worker still busy with a slow module while the others wait."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """One worker per core and one more, at most ``MAX_WORKERS``: a worker spends much of its time
    waiting (on PostgreSQL, on the servers and browser it drives), and measured on 2 cores each of
    two workers kept its core only half busy. ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still wins."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return max(1, min(len(usable) + 1, MAX_WORKERS))


def work_unit(nodeid: str, module: str) -> str:
    """What one worker runs whole: the browser suite (``SINGLE_UNITS``), else a module's tests on one
    backend (``tests/x.py::postgres``; its tenants are per backend anyway, so the two halves of a
    slow module run side by side), else the module."""
    unit = next((unit for unit in SINGLE_UNITS if nodeid.startswith(unit)), None)
    if unit:
        return unit
    params = nodeid.rpartition("[")[2].rstrip("]").split("-") if nodeid.endswith("]") else []
    backend = next((name for name in BACKENDS if name in params), None)
    return f"{module}::{backend}" if backend else module


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadfile`` with the units of ``work_unit``."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LoadFileByBackend(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid, super()._split_scope(nodeid))

    return LoadFileByBackend(config, log)
