"""The generated secret key: created once per data directory, and the same for every process that
starts on it at once (``pilot-crm serve --workers N`` on a new data directory)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from core.settings import Settings


def _key(data_dir: Path) -> str:
    return Settings.from_env(data_dir, data_dir).secret_key


def _race(data_dir: str, barrier, results) -> None:  # runs in a child process
    barrier.wait()
    try:
        results.put(_key(Path(data_dir)))
    except Exception as exc:
        results.put(f"failed: {exc!r}")


def test_processes_starting_at_once_get_one_key(tmp_path, monkeypatch):
    monkeypatch.delenv("PILOT_CRM_SECRET_KEY", raising=False)
    context = multiprocessing.get_context("fork")
    for round_ in range(5):
        data_dir = tmp_path / f"var{round_}"
        barrier, results = context.Barrier(6), context.Queue()
        workers = [context.Process(target=_race, args=(str(data_dir), barrier, results)) for _ in range(6)]
        for worker in workers:
            worker.start()
        keys = [results.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert len(set(keys)) == 1 and len(keys[0]) >= 32, keys
        assert (data_dir / "secret.key").stat().st_mode & 0o777 == 0o600
        assert [p.name for p in data_dir.iterdir()] == ["secret.key"]  # no candidate file left behind


def test_a_process_that_loses_the_race_reads_the_winners_key(tmp_path, monkeypatch):
    """The loser checked before the winner's key appeared: it must not fail, nor keep its own."""
    monkeypatch.delenv("PILOT_CRM_SECRET_KEY", raising=False)
    (tmp_path / "secret.key").write_text("the winner's key\n")
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda p: False if p.name == "secret.key" else real_exists(p))
    assert _key(tmp_path) == "the winner's key"
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]


def test_the_environment_variable_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("PILOT_CRM_SECRET_KEY", "from the environment")
    assert _key(tmp_path) == "from the environment"
    assert not (tmp_path / "secret.key").exists()
