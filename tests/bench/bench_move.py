"""``pilot-crm tenants move`` of a 100,000-contact tenant from SQLite to PostgreSQL: the time of each
phase and the per-table comparison (zero differences expected).

    .venv/bin/python tests/bench/bench_move.py                  # 100,000 contacts (~1-2 min)
    .venv/bin/python tests/bench/bench_move.py --contacts 20000

A throwaway SQLite tenant is declared and migrated (``core.testing.environment``), filled with
contacts by the database itself (``core.testing.volume.insert_contacts``), then moved by the real
command in a subprocess, as an operator runs it; its output (phases, tables, checksums) is printed
as is, with the command's wall time. The PostgreSQL database is dropped afterwards. Exits 1 when
the move fails or reports a difference.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.db.postgres import drop_database
from core.tenancy.context import tenant_context
from core.testing.environment import TenantSpec, build_environment
from core.testing.volume import insert_contacts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432", help="target server")
    args = parser.parse_args()
    target = f"{args.server}/pilot_crm_bench_move_{secrets.token_hex(4)}"
    with (
        tempfile.TemporaryDirectory(prefix="bench-move-") as tmp,
        build_environment("sqlite", Path(tmp), [TenantSpec("bench")]) as env,
    ):
        tenant = env.registry.get("bench")
        assert tenant is not None

        async def seed() -> None:
            with tenant_context(tenant):
                await insert_contacts(args.contacts, {})
            await tenant.close()

        started = time.perf_counter()
        asyncio.run(seed())
        print(f"seeded {args.contacts} contacts in {time.perf_counter() - started:.1f} s")
        settings = env.registry.settings
        command = [
            sys.executable, "-m", "core.cli.main",
            "--data-dir", str(settings.data_dir), "--tenants-dir", str(settings.tenants_dir),
            "tenants", "move", "bench", "--to", target,
        ]  # fmt: skip
        started = time.perf_counter()
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
            print(done.stdout, end="")
            print(done.stderr, end="", file=sys.stderr)
            print(f"wall time of the command (interpreter start included): {wall:.1f} s")
        finally:
            asyncio.run(drop_database(target))
    return 0 if done.returncode == 0 and " 0 differences" in done.stdout else 1


if __name__ == "__main__":
    sys.exit(main())
