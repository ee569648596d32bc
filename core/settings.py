"""Process-wide settings read from the environment (CLI flags override them)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    tenants_dir: Path
    pg_pool_size: int  # connections per PostgreSQL tenant per app process

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None, tenants_dir: str | Path | None = None) -> Settings:
        data = Path(data_dir or os.environ.get("PILOT_CRM_DATA_DIR") or "./var")
        tenants = Path(tenants_dir or os.environ.get("PILOT_CRM_TENANTS_DIR") or REPO_ROOT / "tenants")
        return cls(
            data_dir=data.resolve(),
            tenants_dir=tenants.resolve(),
            pg_pool_size=int(os.environ.get("PILOT_CRM_PG_POOL_SIZE", "5")),
        )
