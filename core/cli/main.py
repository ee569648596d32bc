"""``pilot-crm``: serve, demo, migrate, backup, restore, audit, tenants, users, tokens.

Errors end with exit code 1 and one line on stderr saying why, naming the tenant (``core.cli.errors``);
nothing is half-written.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

import click

from core.accounts.roles import ROLES
from core.cli.context import load_registry, pick_tenants, require_sound_plugins, run
from core.cli.errors import OneLineErrors, fail
from core.db.budget import PoolLimits
from core.db.budget import configure as configure_pools
from core.imports.cli import import_ as import_cli
from core.mail.cli import mail as mail_cli
from core.plugins.cli import plugins as plugins_cli
from core.reports.cli import report as report_cli
from core.settings import Settings
from core.tenancy.cli import tenants as tenants_cli
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRegistry, TenantRuntime

T = TypeVar("T")


@click.group(cls=OneLineErrors)
@click.option(
    "--data-dir",
    envvar="PILOT_CRM_DATA_DIR",
    type=click.Path(file_okay=False),
    help="Where tenant databases live (default ./var).",
)
@click.option(
    "--tenants-dir",
    envvar="PILOT_CRM_TENANTS_DIR",
    type=click.Path(file_okay=False),
    help="Where tenant declarations live (default ./tenants).",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None, tenants_dir: str | None) -> None:
    """Pilot CRM: the CRM of the national Voluntary Pilot Initiatives."""
    ctx.ensure_object(dict)
    ctx.obj["settings"] = Settings.from_env(data_dir, tenants_dir)
    try:  # migrations and bulk work run as long as they need; `serve`'s app sets its own limits
        configure_pools(replace(PoolLimits.from_env(), statement_timeout_ms=0))
    except ValueError as exc:
        fail(str(exc))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    envvar="PILOT_CRM_WORKERS",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="App processes sharing the port (sessions and throttles live in the tenant databases).",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Serve the web app and the API."""
    import os

    import uvicorn

    from core.web.logs import log_format, uvicorn_log_config
    from core.web.multiprocess import prepare_multiprocess_dir
    from core.web.server import BoundedHttpToolsProtocol

    settings: Settings = ctx.obj["settings"]
    try:
        fmt = log_format()
    except ValueError as exc:
        fail(str(exc))
    # First: prometheus-client chooses memory or files when it is imported, and checking the plugins
    # below imports it (with one worker, the app then runs in this very process).
    try:
        prepare_multiprocess_dir(port)
    except OSError as exc:
        fail(f"metrics directory: {exc}")
    registry = load_registry(ctx)  # a bad declaration stops here, with one line, before any worker
    require_sound_plugins(registry)  # and so does a broken plugin
    settings.secret_key  # noqa: B018 - created once here, not raced for by the workers
    # Each worker builds the app itself (core.web.app:create_app) from the environment: hand it
    # the directories this command was given.
    os.environ["PILOT_CRM_DATA_DIR"] = str(settings.data_dir)
    os.environ["PILOT_CRM_TENANTS_DIR"] = str(settings.tenants_dir)
    click.echo(
        f"Serving {len(registry)} tenants on http://{host}:{port}/ ({', '.join(registry.slugs())})"
        f" with {workers} worker{'s' if workers > 1 else ''}"
    )
    uvicorn.run(
        "core.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=uvicorn_log_config(fmt),
        access_log=False,  # the app writes its own access line (core.web.observe)
        # The client's address from the proxy's X-Forwarded-For, believed only from these addresses.
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        http=BoundedHttpToolsProtocol,
        # A new worker imports the web stack before it can answer uvicorn's health pings (seconds on a
        # busy host): uvicorn's default of 5 s killed and restarted workers that were only starting.
        timeout_worker_healthcheck=30,
    )


@cli.command()
@click.option("--tenant", "slug", help="Only this tenant (default: all).")
@click.pass_context
def migrate(ctx: click.Context, slug: str | None) -> None:
    """Create missing databases and run core's and the tenant's plugins' migrations."""
    from core.db.migrate import migrate_tenant

    registry = load_registry(ctx)
    tenants = pick_tenants(registry, slug)
    require_sound_plugins(tenants)  # before any database: a broken plugin leaves no tenant half-migrated
    for tenant in tenants:
        report = run(registry, functools.partial(migrate_tenant, tenant), tenant)
        applied = ", ".join(f"{app}: {n}" for app, n in report.applied.items())
        created = " (database created)" if report.database_created else ""
        identity = ", database identity recorded" if report.identity_created else ""
        chained = f", legacy audit entries chained: {report.audit_chained}" if report.audit_chained else ""
        click.echo(
            f"{tenant.slug}: migrations applied [{applied}], topics added: {report.topics_added}, "
            f"updated from code: {report.topics_updated}{identity}{chained}{created}"
        )


@cli.command()
@click.option("--tenant", "slug", required=True)
@click.option(
    "--output",
    type=click.Path(file_okay=False),
    help="Directory for the archive (default <data dir>/backups).",
)
@click.pass_context
def backup(ctx: click.Context, slug: str, output: str | None) -> None:
    """Write a consistent backup of one tenant's database (safe while the app runs); prints its path."""
    from pathlib import Path

    from core.db.backup import BackupError, backup_tenant

    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]
    destination = Path(output) if output else ctx.obj["settings"].data_dir / "backups"
    try:
        archive = run(registry, functools.partial(backup_tenant, tenant, destination))
    except BackupError as exc:
        fail(str(exc))
    click.echo(str(archive))


@cli.command()
@click.option("--tenant", "slug", required=True)
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def restore(ctx: click.Context, slug: str, archive: str, yes: bool) -> None:
    """Replace one tenant's data with a backup of that same tenant, then migrate it up to date."""
    from pathlib import Path

    from core.db.backup import BackupError, restore_tenant, verify_archive
    from core.db.migrate import migrate_tenant

    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]
    require_sound_plugins([tenant])  # it migrates the restored database
    try:
        manifest = run(registry, functools.partial(verify_archive, tenant, Path(archive)))
        if not yes and not click.confirm(
            f"Replace ALL data of tenant '{slug}' with its backup of {manifest.created_at}?"
        ):
            fail("restore cancelled, nothing changed")

        async def restore_and_migrate() -> Any:
            await restore_tenant(tenant, Path(archive))
            return await migrate_tenant(tenant)

        report = run(registry, restore_and_migrate)
    except BackupError as exc:
        fail(str(exc))
    applied = sum(report.applied.values())
    click.echo(
        f"{slug}: restored the backup of {manifest.created_at} (app {manifest.app_version}); "
        f"migrations applied since: {applied}"
    )


RESET_HINT = (
    "Passwords are printed once, when an account is created. "
    "To give the demo accounts new ones and print them: pilot-crm demo --reset-passwords"
)


@cli.command()
@click.option(
    "--reset-passwords",
    is_flag=True,
    help="Give the existing demo accounts new passwords (their sessions end) and print them; seeds nothing.",
)
@click.pass_context
def demo(ctx: click.Context, reset_passwords: bool) -> None:
    """Migrate the demo tenants and seed fictitious data and demo accounts (idempotent)."""
    from core.db.migrate import migrate_tenant
    from core.demo.seed import seed_tenant

    registry = load_registry(ctx)
    require_sound_plugins(registry)
    if reset_passwords:
        reset_demo_passwords(registry)
        return

    async def seed(tenant: TenantRuntime) -> dict[str, Any]:
        await migrate_tenant(tenant)
        return await seed_tenant(tenant)

    kept = False
    for tenant in registry:
        result = run(registry, functools.partial(seed, tenant), tenant)
        counts = ", ".join(f"{k}: {v}" for k, v in result["counts"].items())
        click.echo(f"{tenant.slug}: {counts}")
        for email, role, password in result["accounts"]:
            shown = password if password else "(unchanged: account already existed)"
            kept = kept or not password
            click.echo(f"  {role:<12} {email:<28} {shown}")
    if kept:
        click.echo(RESET_HINT)


def reset_demo_passwords(registry: TenantRegistry) -> None:
    """New passwords for every tenant's demo accounts, printed as one table per tenant as soon as
    they are set (a tenant that fails after others still leaves theirs on the screen)."""
    from rich.console import Console
    from rich.table import Table

    from core.demo.seed import reset_passwords

    console = Console(highlight=False, soft_wrap=True)
    reset = 0
    for tenant in registry:
        accounts = run(registry, functools.partial(reset_passwords, tenant), tenant)
        if not accounts:
            continue
        table = Table(title=f"{tenant.slug}: new demo passwords", title_justify="left")
        for column in ("Role", "Email", "Password"):
            table.add_column(column, no_wrap=True)
        for email, role, password in accounts:
            table.add_row(role, email, password)
        console.print(table)
        reset += len(accounts)
    if not reset:
        fail("no demo account in any tenant: run pilot-crm demo first")
    click.echo(f"{reset} demo passwords reset; the accounts' open sessions have ended.")


@cli.group()
def users() -> None:
    """Manage the members of a tenant."""


@users.command("add")
@click.option("--tenant", "slug", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", "display_name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def users_add(
    ctx: click.Context, slug: str, email: str, role: str, display_name: str, password_stdin: bool
) -> None:
    """Add a member (password from a prompt, or --password-stdin)."""
    from core.accounts.service import create_user

    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def add() -> dict[str, Any]:
        with tenant_context(tenant):
            return await create_user(email, role, password, display_name)

    user = run(registry, add)
    click.echo(f"{tenant.slug}: added {user['email']} as {user['role']}")


@users.command("invite")
@click.option("--tenant", "slug", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", "display_name", default="")
@click.option("--locale", default=None, help="The member's language (default: the tenant's).")
@click.option(
    "--base-url",
    default=None,
    help="Where members reach the app, for the link (default: PILOT_CRM_BASE_URL, else http://127.0.0.1:8000).",
)
@click.pass_context
def users_invite(
    ctx: click.Context,
    slug: str,
    email: str,
    role: str,
    display_name: str,
    locale: str | None,
    base_url: str | None,
) -> None:
    """Invite a member by email; prints the link instead when no mail server is configured."""
    from core.accounts import links
    from core.accounts.roles import SYSTEM
    from core.mail import mailer_for

    settings: Settings = ctx.obj["settings"]
    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]
    base_url = base_url or settings.base_url or "http://127.0.0.1:8000"
    mailer = links.LinkMailer(mailer_for(settings), base_url, settings.invite_ttl)

    async def invite() -> links.Mailing:
        with tenant_context(tenant):
            return await links.invite(
                SYSTEM,
                mailer,
                email=email,
                display_name=display_name,
                role=role,
                locale=locale or tenant.declaration.default_locale,
            )

    mailing = run(registry, invite)
    if mailing.status == links.FAILED:
        fail(f"invitation for {mailing.email} saved, but the mail could not be sent: resend it later")
    if mailing.status == links.OUTBOX:
        click.echo(f"{slug}: no mail server configured; pass this link on to {mailing.email}:")
        click.echo(mailing.link)
        return
    click.echo(f"{slug}: invitation mailed to {mailing.email}")


@cli.group()
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.option("--tenant", "slug", required=True)
@click.option("--email", required=True)
@click.option("--name", default="cli")
@click.option("--scope", type=click.Choice(["read", "write"]), default="write", show_default=True)
@click.option("--expires-in-days", type=click.IntRange(min=1), default=None, help="Default: never.")
@click.pass_context
def tokens_create(
    ctx: click.Context, slug: str, email: str, name: str, scope: str, expires_in_days: int | None
) -> None:
    """Create an API token for a member; prints only the token."""
    from datetime import UTC, datetime, timedelta

    from core.accounts.service import find_user, issue_token

    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]
    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None

    async def create() -> str | None:
        with tenant_context(tenant):
            user = await find_user(email)
            if user is None or not user["active"]:
                return None
            return await issue_token(user["id"], name, scope=scope, expires_at=expires_at)

    token = run(registry, create)
    if token is None:
        fail(f"no active member '{email}' in tenant '{slug}'")
    click.echo(token)


def _when(value: Any) -> str:
    """A timestamp in UTC to the second, or "-"."""
    from datetime import UTC

    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"


@tokens.command("list")
@click.option("--tenant", "slug", required=True)
@click.option("--email", default=None, help="Only this member's tokens.")
@click.pass_context
def tokens_list(ctx: click.Context, slug: str, email: str | None) -> None:
    """The tenant's tokens, newest first: metadata only, never a token or its hash."""
    from core.accounts.service import list_tokens

    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]

    async def fetch() -> list[dict[str, Any]]:
        with tenant_context(tenant):
            return await list_tokens(email)

    rows = run(registry, fetch)
    click.echo("id\tmember\tname\tscope\tcreated\texpires\tlast used\trevoked")
    for row in rows:
        cells = [
            str(row["id"]),
            row["email"],
            row["name"] or "-",
            row["scope"],
            _when(row["created_at"]),
            _when(row["expires_at"]) if row["expires_at"] else "never",
            _when(row["last_used_at"]),
            _when(row["revoked_at"]),
        ]
        click.echo("\t".join(cells))


@tokens.command("revoke")
@click.option("--tenant", "slug", required=True)
@click.option("--id", "token_id", type=int, required=True)
@click.pass_context
def tokens_revoke(ctx: click.Context, slug: str, token_id: int) -> None:
    """Revoke a token at once (audited); its holder gets 401 from then on."""
    from core.accounts.roles import SYSTEM
    from core.accounts.service import revoke_token
    from core.errors import NotFound

    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]

    async def revoke() -> bool:
        with tenant_context(tenant):
            try:
                await revoke_token(SYSTEM, token_id)
            except NotFound:
                return False
            return True

    if not run(registry, revoke):
        fail(f"no token {token_id} in tenant '{slug}'")
    click.echo(f"{slug}: token {token_id} revoked")


@cli.group()
def audit() -> None:
    """Check and export a tenant's tamper-evident audit log."""


@audit.command("verify")
@click.option("--tenant", "slug", required=True)
@click.pass_context
def audit_verify(ctx: click.Context, slug: str) -> None:
    """Recompute the tenant's audit hash chain; exit 1 naming the first entry that breaks it."""
    from core.audit.chain import ChainReport, verify_chain

    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]

    async def verify() -> ChainReport:
        with tenant_context(tenant):
            return await verify_chain()

    report = run(registry, verify)
    if not report.intact:
        fail(f"{slug}: audit entry {report.broken_id} breaks the chain: {report.reason}")
    click.echo(f"{slug}: {report.entries} entries, chain intact")


@audit.command("export")
@click.option("--tenant", "slug", required=True)
@click.option("--entity", default=None, help="Only entries about this kind of record (e.g. contact).")
@click.option("--by", "actor_email", default=None, help="Only entries by this member (email address).")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl", show_default=True
)
@click.pass_context
def audit_export(
    ctx: click.Context, slug: str, entity: str | None, actor_email: str | None, fmt: str
) -> None:
    """Write the tenant's audit entries, oldest first, with their hashes, to standard output (a
    spreadsheet's headers in the tenant's default language)."""
    from core.audit.export import AuditExport, export_jsonl

    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]
    out = sys.stdout.buffer

    async def export() -> None:
        with tenant_context(tenant):
            if fmt == "jsonl":
                async for line in export_jsonl(entity, actor_email):
                    out.write(line.encode())
            else:
                t = tenant.translator(tenant.declaration.default_locale)
                async for chunk in AuditExport(t, fmt, entity, actor_email).body():
                    out.write(chunk)

    run(registry, export)
    out.flush()


@cli.group()
def contacts() -> None:
    """Answer a data-subject request about a contact: export or erase their personal data."""


def _personal_data(ctx: click.Context, slug: str, call: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``call(PersonalDataService)`` in the tenant, acting as the system (audited as such)."""
    from core.accounts.roles import SYSTEM
    from core.contacts.privacy import PersonalDataService

    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]

    async def act() -> T:
        with tenant_context(tenant):
            return await call(PersonalDataService(SYSTEM))

    return run(registry, act)


@contacts.command("export")
@click.option("--tenant", "slug", required=True)
@click.option("--id", "record_id", type=click.IntRange(min=1), required=True)
@click.option(
    "--output", type=click.Path(dir_okay=False), help="Write to this file (default: standard output)."
)
@click.pass_context
def contacts_export(ctx: click.Context, slug: str, record_id: int, output: str | None) -> None:
    """Everything held about one contact, as JSON (the export is audited)."""
    from pathlib import Path

    from core.contacts.privacy import as_json

    document = as_json(_personal_data(ctx, slug, lambda service: service.export(record_id)))
    if output:
        Path(output).write_bytes(document + b"\n")
        click.echo(f"{slug}: personal data of contact {record_id} written to {output}")
    else:
        click.echo(document.decode("utf-8"))


@contacts.command("erase")
@click.option("--tenant", "slug", required=True)
@click.option("--id", "record_id", type=click.IntRange(min=1), required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def contacts_erase(ctx: click.Context, slug: str, record_id: int, yes: bool) -> None:
    """Erase one contact's personal data, here and in the audit log (cannot be undone)."""
    if not yes and not click.confirm(
        f"Erase the personal data of contact {record_id} in '{slug}'? It cannot be undone"
    ):
        fail("erasure cancelled, nothing changed")
    _personal_data(ctx, slug, lambda service: service.erase(record_id))
    click.echo(f"{slug}: personal data of contact {record_id} erased")


cli.add_command(plugins_cli)
cli.add_command(report_cli)
cli.add_command(import_cli)
cli.add_command(mail_cli)
cli.add_command(tenants_cli)

if __name__ == "__main__":
    cli()
