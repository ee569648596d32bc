"""Process-wide settings read from the environment (CLI flags override them)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _secret_key(data_dir: Path) -> str:
    """``PILOT_CRM_SECRET_KEY``, else a key generated once and kept (0600) in the data directory, so
    CSRF tokens survive restarts without any set-up."""
    if key := os.environ.get("PILOT_CRM_SECRET_KEY"):
        return key
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    tenants_dir: Path
    pg_pool_size: int  # connections per PostgreSQL tenant per app process
    secure_cookies: bool  # set behind TLS (PILOT_CRM_SECURE_COOKIES=1): cookies only over HTTPS

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None, tenants_dir: str | Path | None = None) -> Settings:
        data = Path(data_dir or os.environ.get("PILOT_CRM_DATA_DIR") or "./var")
        tenants = Path(tenants_dir or os.environ.get("PILOT_CRM_TENANTS_DIR") or REPO_ROOT / "tenants")
        return cls(
            data_dir=data.resolve(),
            tenants_dir=tenants.resolve(),
            pg_pool_size=int(os.environ.get("PILOT_CRM_PG_POOL_SIZE", "5")),
            secure_cookies=os.environ.get("PILOT_CRM_SECURE_COOKIES", "").lower() in ("1", "true", "yes"),
        )

    @property
    def secret_key(self) -> str:
        return _secret_key(self.data_dir)
