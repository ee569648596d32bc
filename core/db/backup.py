"""Back up and restore one tenant's database as a single verified archive.

An archive is ``<slug>-<UTC timestamp>.tar.gz`` holding ``manifest.json`` (tenant slug, the
database's identity, engine, creation time, app version, payload name, size and SHA-256) and the
payload: a SQLite file made with SQLite's online backup API (a consistent snapshot while the app
keeps writing in WAL mode), or a ``pg_dump --format=custom`` file. Restore verifies everything
*before* touching the tenant: the manifest's slug must be the target tenant's, the engine must
match, the checksum must match, and the payload must be readable (``PRAGMA integrity_check`` /
``pg_restore --list``).

A backup never crosses tenants (an isolation promise), and a manifest is only a label anyone can
edit, so restore also reads the identity recorded *inside* the payload's database
(``core.db.identity``; from the SQLite file, or ``pg_restore --data-only`` of that one table) and
compares it with the identity of the tenant's live database: another database's archive is refused
however it is labelled. When the tenant has no database yet (disaster recovery onto a fresh server)
there is no identity to compare with: then the payload's recorded slug must be the tenant's, as the
manifest's must. Archives made before databases had an identity are checked by slug only.

SQLite restores copy the verified file *into* the live database with the same online backup API
rather than renaming a file over it: the copy is one write transaction, so it is atomic, it waits
for the app's writer through SQLite's own locks, and every connection still open on the database
(another ``pilot-crm serve`` process included) sees the restored data on its next query. Renaming
would leave running processes reading the old, unlinked file, and deleting ``-wal``/``-shm`` under
them corrupts it. PostgreSQL restores run ``pg_restore --clean --if-exists --single-transaction``,
also all-or-nothing; ``--clean`` only drops what the dump holds, so the tables created since the
backup (by later migrations) are dropped afterwards, for ``migrate`` to create them again.

Errors are :class:`BackupError` with one line that says what is wrong; nothing is changed then.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import glob
import hashlib
import io
import itertools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core import __version__
from core.db.failures import NOT_MIGRATED, NotMigrated, classify
from core.db.identity import Identity, TenantIdentity, read_identity
from core.db.postgres import ensure_database
from core.db.statistics import refresh_statistics
from core.tenancy.context import tenant_context

if TYPE_CHECKING:
    from core.tenancy.registry import TenantRuntime

FORMAT = "pilot-crm-backup/1"
MANIFEST = "manifest.json"
BUSY_TIMEOUT_S = 30.0
PG_BINDIR_ENV = "PILOT_CRM_PG_BINDIR"  # where pg_dump/pg_restore live, when not the first on PATH
PG_DEBIAN_BINDIRS = "/usr/lib/postgresql/*/bin"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class Manifest:
    format: str
    tenant: str
    engine: str
    created_at: str
    app_version: str
    payload: str
    size: int
    sha256: str
    identity: str = ""  # the database_id of the backed-up database; "" in archives made before it


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path(tenant: TenantRuntime) -> Path:
    return tenant.declaration.sqlite_path


# -- PostgreSQL client tools -------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """Path of ``pg_dump``/``pg_restore``: in ``$PILOT_CRM_PG_BINDIR`` if set, else on PATH, else the
    newest Debian-style ``/usr/lib/postgresql/<major>/bin`` (the client must be as new as the server)."""
    if bindir := os.environ.get(PG_BINDIR_ENV):
        found = shutil.which(name, path=bindir)
    else:
        found = shutil.which(name)
        if found is None:
            majors = [d for d in glob.glob(PG_DEBIAN_BINDIRS) if Path(d).parent.name.isdigit()]
            dirs = sorted(majors, key=lambda d: int(Path(d).parent.name))
            found = next((str(Path(d) / name) for d in reversed(dirs) if (Path(d) / name).exists()), None)
    if found is None:
        where = os.environ.get(PG_BINDIR_ENV) or f"PATH or {PG_DEBIAN_BINDIRS}"
        raise BackupError(f"{name} not found in {where} (install the PostgreSQL client tools)")
    return found


def _run_tool(args: list[str]) -> str:
    """Run a client tool; its standard output, or BackupError with the first line it complained."""
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tools
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or [f"exit {done.returncode}"]
        raise BackupError(f"{Path(args[0]).name} failed: {lines[0]}")
    return done.stdout


# -- identities ----------------------------------------------------------------------------------

IDENTITY_TABLE = TenantIdentity._meta.tablename
_COPY_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _file_identity(path: Path) -> Identity | None:
    """The identity recorded in a SQLite database file, or None if it has none."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        try:
            row = conn.execute(
                f"SELECT database_id, slug FROM {IDENTITY_TABLE} ORDER BY id LIMIT 1"  # noqa: S608 - constant
            ).fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
    return Identity(row[0], row[1]) if row else None


def _copy_value(text: str) -> str | None:
    """One field of PostgreSQL's COPY text format."""
    if text == "\\N":
        return None
    return re.sub(r"\\(.)", lambda m: _COPY_ESCAPES.get(m.group(1), m.group(1)), text)


def _dump_identity(dump: Path) -> Identity | None:
    """The identity recorded in a ``pg_dump --format=custom`` file, or None if it has none: the
    table's data, as ``pg_restore`` writes it out as SQL (a COPY block), without restoring anything."""
    sql = _run_tool(
        [pg_tool("pg_restore"), "--data-only", f"--table={IDENTITY_TABLE}", "--file=-", str(dump)]
    )
    lines = iter(sql.splitlines())
    for line in lines:
        if match := re.fullmatch(rf'COPY (?:\S+\.)?"?{IDENTITY_TABLE}"? \((.*)\) FROM stdin;', line):
            columns = [name.strip().strip('"') for name in match.group(1).split(",")]
            rows = [
                dict(zip(columns, map(_copy_value, row.split("\t")), strict=True))
                for row in itertools.takewhile(lambda row: row != "\\.", lines)
            ]
            if rows:
                first = min(rows, key=lambda row: int(row["id"] or 0))
                return Identity(str(first["database_id"]), str(first["slug"]))
    return None


def _dump_tables(dump: Path) -> set[tuple[str, str]]:
    """``(schema, table)`` of every table a ``pg_dump --format=custom`` file holds."""
    listing = _run_tool([pg_tool("pg_restore"), "--list", str(dump)])
    return {(m[1], m[2]) for m in re.finditer(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", listing, re.MULTILINE)}


async def _drop_tables_not_in(tenant: TenantRuntime, dump: Path) -> None:
    """Drop the tables of the tenant's PostgreSQL database that ``dump`` does not hold: made by
    migrations run after the backup, which the restored migration table says have not run yet."""
    keep = await asyncio.to_thread(_dump_tables, dump)
    with tenant_context(tenant):
        rows = await TenantIdentity.raw(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).run()
        for schema, table in {(r["schemaname"], r["tablename"]) for r in rows} - keep:
            quoted = ".".join('"' + part.replace('"', '""') + '"' for part in (schema, table))
            await TenantIdentity.raw(f"DROP TABLE IF EXISTS {quoted} CASCADE").run()


def _no_sqlite_file(tenant: TenantRuntime) -> bool:
    """A SQLite tenant whose database file does not exist (opening it would create an empty one)."""
    return tenant.declaration.engine_kind == "sqlite" and not _sqlite_path(tenant).exists()


async def _identity_to_back_up(tenant: TenantRuntime) -> Identity:
    """The live database's identity; NotMigrated when it has none (or no database at all)."""
    if _no_sqlite_file(tenant):
        raise NotMigrated(f"its database {_sqlite_path(tenant)} does not exist")
    with tenant_context(tenant):
        identity = await read_identity()
    if identity is None:
        raise NotMigrated("its database has no identity yet")
    return identity


async def _live_identity(tenant: TenantRuntime) -> Identity | None:
    """The identity of the database a restore would replace; None when there is no database yet or
    it was never migrated. A database that cannot be read for another reason stops the restore."""
    if _no_sqlite_file(tenant):
        return None
    try:
        with tenant_context(tenant):
            return await read_identity()
    except Exception as exc:
        failure = classify(exc)
        if failure is not None and failure.kind == NOT_MIGRATED:
            return None
        raise


def _check_identity(
    tenant: TenantRuntime, archive: Path, manifest: Manifest, inside: Identity | None, live: Identity | None
) -> None:
    """Refuse an archive whose database is not the tenant's (see the module docstring)."""
    if inside is not None:
        foreign = inside.database_id != live.database_id if live else inside.slug != tenant.slug
        if foreign:
            raise BackupError(
                f"{archive} is a backup of another tenant's database (identity {inside.database_id}, "
                f"created for '{inside.slug}'), not of '{tenant.slug}': refused"
            )
    if manifest.identity != (inside.database_id if inside else ""):
        raise BackupError(f"{archive}: the manifest's identity does not match the database inside: refused")


# -- backup --------------------------------------------------------------------------------------


def _backup_sqlite(tenant: TenantRuntime, out: Path) -> None:
    source = _sqlite_path(tenant)
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_S)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # a self-contained file, no -wal beside it
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{tenant.slug}: the snapshot failed its integrity check")
    finally:
        dst.close()
        src.close()


def _backup_sync(
    tenant: TenantRuntime, destination_dir: Path, created: dt.datetime, identity: Identity
) -> Path:
    engine = tenant.declaration.engine_kind
    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    payload_name = f"{tenant.slug}-{stamp}.{'sqlite3' if engine == 'sqlite' else 'dump'}"
    destination_dir.mkdir(parents=True, exist_ok=True)
    archive = destination_dir / f"{tenant.slug}-{stamp}.tar.gz"
    if archive.exists():
        raise BackupError(f"{archive} already exists")
    with tempfile.TemporaryDirectory(dir=destination_dir, prefix=".backup-") as tmp:
        payload = Path(tmp) / payload_name
        if engine == "sqlite":
            _backup_sqlite(tenant, payload)
        else:
            dsn = tenant.declaration.database_url
            _run_tool(
                [pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={payload}", f"--dbname={dsn}"]
            )
        manifest = Manifest(
            format=FORMAT,
            tenant=tenant.slug,
            engine=engine,
            created_at=created.isoformat(),
            app_version=__version__,
            payload=payload_name,
            size=payload.stat().st_size,
            sha256=_sha256(payload),
            identity=identity.database_id,
        )
        partial = Path(tmp) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(asdict(manifest), indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(created.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(payload, arcname=payload_name)
        os.chmod(partial, 0o600)  # tenant data: readable by the service account only
        partial.replace(archive)  # a half-written archive never carries the final name
    return archive


async def backup_tenant(tenant: TenantRuntime, destination_dir: Path) -> Path:
    """Write a verified archive of ``tenant``'s database into ``destination_dir``; return its path."""
    identity = await _identity_to_back_up(tenant)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return await asyncio.to_thread(_backup_sync, tenant, Path(destination_dir), created, identity)


# -- verification --------------------------------------------------------------------------------


def _unpack(tenant: TenantRuntime, archive: Path, workdir: Path) -> tuple[Manifest, Path, Identity | None]:
    """Check ``archive`` against ``tenant`` and extract its payload into ``workdir``; returns the
    manifest, the payload and the identity recorded inside it."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            try:
                raw = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
                manifest = Manifest(**raw)
            except (KeyError, AttributeError, TypeError, ValueError):
                raise BackupError(f"{archive}: not a Pilot CRM backup (no valid manifest)") from None
            if manifest.format != FORMAT:
                raise BackupError(f"{archive}: unsupported backup format '{manifest.format}'")
            if manifest.tenant != tenant.slug:
                raise BackupError(
                    f"{archive} is a backup of tenant '{manifest.tenant}', not of '{tenant.slug}': refused"
                )
            if manifest.engine != tenant.declaration.engine_kind:
                raise BackupError(
                    f"{archive} holds a {manifest.engine} database; "
                    f"tenant '{tenant.slug}' uses {tenant.declaration.engine_kind}"
                )
            try:
                member = tar.getmember(manifest.payload)
            except KeyError:
                raise BackupError(f"{archive}: the payload {manifest.payload} is missing") from None
            source = tar.extractfile(member) if member.isfile() else None
            if source is None or "/" in manifest.payload or manifest.payload.startswith("."):
                raise BackupError(f"{archive}: the payload {manifest.payload} is not a plain file")
            payload = workdir / "payload"
            with source, payload.open("wb") as out:
                shutil.copyfileobj(source, out)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"{archive}: unreadable or damaged archive ({exc})") from None
    if payload.stat().st_size != manifest.size or _sha256(payload) != manifest.sha256:
        raise BackupError(f"{archive}: checksum mismatch, the backup is damaged")
    if manifest.engine == "sqlite":
        try:
            with sqlite3.connect(payload) as conn:
                ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.close()
        except sqlite3.DatabaseError:
            ok = False
        if not ok:
            raise BackupError(f"{archive}: the database inside fails its integrity check")
        return manifest, payload, _file_identity(payload)
    _dump_tables(payload)  # readable, or BackupError
    return manifest, payload, _dump_identity(payload)


async def _verified(tenant: TenantRuntime, archive: Path, workdir: Path) -> tuple[Manifest, Path]:
    """Everything restore checks before it changes anything; the manifest and the extracted payload."""
    manifest, payload, inside = await asyncio.to_thread(_unpack, tenant, Path(archive), workdir)
    _check_identity(tenant, Path(archive), manifest, inside, await _live_identity(tenant))
    return manifest, payload


def _workdir(tenant: TenantRuntime) -> tempfile.TemporaryDirectory[str]:
    # Next to the SQLite database (same disk, same permissions); the system temp dir for PostgreSQL.
    base = _sqlite_path(tenant).parent if tenant.declaration.engine_kind == "sqlite" else None
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=base, prefix=".restore-")


async def verify_archive(tenant: TenantRuntime, archive: Path) -> Manifest:
    """Everything restore checks, without changing anything: returns the manifest or raises."""

    with _workdir(tenant) as tmp:
        return (await _verified(tenant, archive, Path(tmp)))[0]


# -- restore -------------------------------------------------------------------------------------


def _restore_sqlite(tenant: TenantRuntime, payload: Path) -> None:
    target = _sqlite_path(tenant)
    src = sqlite3.connect(payload)
    dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S)
    try:
        dst.execute("PRAGMA journal_mode = WAL")  # as the app runs it; a no-op on an existing database
        src.backup(dst)  # one write transaction on the live database: all or nothing
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise BackupError(f"{tenant.slug}: restore failed, database unchanged ({exc})") from None
    finally:
        dst.close()
        src.close()


async def restore_tenant(tenant: TenantRuntime, archive: Path) -> Manifest:
    """Replace ``tenant``'s data with the archive's, after verifying it (see the module docstring)."""
    with _workdir(tenant) as tmp:
        manifest, payload = await _verified(tenant, archive, Path(tmp))
        await tenant.close()  # this process's connections: reopened on the next query
        if manifest.engine == "sqlite":
            await asyncio.to_thread(_restore_sqlite, tenant, payload)
        else:
            dsn = tenant.declaration.database_url
            await ensure_database(dsn)
            args = [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction"]
            await asyncio.to_thread(_run_tool, [*args, f"--dbname={dsn}", str(payload)])
            await _drop_tables_not_in(tenant, payload)
        with tenant_context(tenant):
            await refresh_statistics()  # the planners' view of the data just replaced
    return manifest
