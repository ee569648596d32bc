"""Process-wide settings read from the environment (CLI flags override them)."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path


def _secret_key(data_dir: Path) -> str:
    """``PILOT_CRM_SECRET_KEY``, else a key generated once and kept (0600) in the data directory, so
    CSRF tokens survive restarts without any set-up.

    Several processes may start at once on a new data directory (``serve --workers N``): each writes
    its candidate to a file of its own and links it into place, which either succeeds whole or fails
    because another process's key is already there; the loser then reads the winner's key. No
    process ever reads a half-written key, and all end up with the same one."""
    if key := os.environ.get("PILOT_CRM_SECRET_KEY"):
        return key
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        candidate = data_dir / f".secret.key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):  # another process's key won
                os.link(candidate, path)
        finally:
            candidate.unlink()
    return path.read_text().strip()


DEFAULT_SENDER = "pilot-crm@localhost"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def _minutes(name: str, default: float) -> timedelta:
    return timedelta(minutes=float(os.environ.get(name) or default))


@dataclass(frozen=True, slots=True)
class MailSettings:
    """Outgoing mail. With no ``host`` (the local demo) mails are written to the data directory's
    outbox instead of being sent, so no link is ever silently lost."""

    host: str = ""
    port: int = 25
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False  # upgrade a plain connection (usually port 587)
    tls: bool = False  # implicit TLS from the first byte (usually port 465)
    sender: str = DEFAULT_SENDER
    timeout: float = 15.0

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @classmethod
    def from_env(cls) -> MailSettings:
        starttls, tls = _flag("PILOT_CRM_SMTP_STARTTLS"), _flag("PILOT_CRM_SMTP_TLS")
        default_port = 465 if tls else 587 if starttls else 25
        return cls(
            host=os.environ.get("PILOT_CRM_SMTP_HOST", ""),
            port=int(os.environ.get("PILOT_CRM_SMTP_PORT") or default_port),
            username=os.environ.get("PILOT_CRM_SMTP_USERNAME", ""),
            password=os.environ.get("PILOT_CRM_SMTP_PASSWORD", ""),
            starttls=starttls,
            tls=tls,
            sender=os.environ.get("PILOT_CRM_MAIL_FROM") or DEFAULT_SENDER,
        )


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    tenants_dir: Path
    secure_cookies: bool  # set behind TLS (PILOT_CRM_SECURE_COOKIES=1): cookies only over HTTPS
    mail: MailSettings = field(default_factory=MailSettings)
    # Where members reach the app, for the links in mails ("https://crm.example.org"); when empty,
    # the base URL of the request that sends the mail, if its host is trusted (a tenant's declared
    # ``hosts`` or the local machine).
    base_url: str = ""
    invite_ttl: timedelta = timedelta(days=7)
    reset_ttl: timedelta = timedelta(hours=1)
    session_idle: timedelta = timedelta(minutes=30)  # a session unused this long ends
    # Addresses (or networks) of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto
    # are believed: the client's own address is what per-address throttles count, and behind a
    # proxy every connection comes from the proxy.
    trusted_proxies: str = "127.0.0.1,::1"

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None, tenants_dir: str | Path | None = None) -> Settings:
        # Both default to the working directory, never to where the package is installed.
        data = Path(data_dir or os.environ.get("PILOT_CRM_DATA_DIR") or "./var")
        tenants = Path(tenants_dir or os.environ.get("PILOT_CRM_TENANTS_DIR") or "./tenants")
        return cls(
            data_dir=data.resolve(),
            tenants_dir=tenants.resolve(),
            secure_cookies=_flag("PILOT_CRM_SECURE_COOKIES"),
            mail=MailSettings.from_env(),
            base_url=os.environ.get("PILOT_CRM_BASE_URL", "").rstrip("/"),
            invite_ttl=timedelta(hours=float(os.environ.get("PILOT_CRM_INVITE_TTL_HOURS") or 7 * 24)),
            reset_ttl=_minutes("PILOT_CRM_RESET_TTL_MINUTES", 60),
            session_idle=_minutes("PILOT_CRM_SESSION_IDLE_MINUTES", 30),
            trusted_proxies=os.environ.get("PILOT_CRM_TRUSTED_PROXIES") or "127.0.0.1,::1",
        )

    @property
    def secret_key(self) -> str:
        return _secret_key(self.data_dir)
