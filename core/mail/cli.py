"""``pilot-crm mail outbox``: the mails a tenant kept because no SMTP server is configured, read
from its database, so it shows the same outbox on any host of a deployment."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from core.cli.context import load_registry, pick_tenants, run
from core.cli.errors import fail
from core.tenancy.context import tenant_context

T = TypeVar("T")


@click.group()
def mail() -> None:
    """Outgoing mail."""


@mail.command("outbox")
@click.option("--tenant", "slug", required=True)
@click.option("--to", "recipient", default=None, help="Only the mails to this address.")
@click.option("--show", "mail_id", type=click.IntRange(min=1), default=None, help="Print this mail whole.")
@click.pass_context
def outbox_command(ctx: click.Context, slug: str, recipient: str | None, mail_id: int | None) -> None:
    """List the mails kept instead of sent (id, time, recipient, subject), or print one with --show."""
    from core.mail import outbox

    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]

    async def in_tenant(read: Callable[[], Awaitable[T]]) -> T:
        with tenant_context(tenant):
            return await read()

    if mail_id is not None:
        message = run(registry, lambda: in_tenant(lambda: outbox.read(mail_id)), tenant)
        if message is None:
            fail(f"{slug}: the outbox has no mail {mail_id}")
        click.echo(message.as_string(), nl=False)
        return
    for kept in run(registry, lambda: in_tenant(lambda: outbox.kept(recipient)), tenant):
        stamp = kept.created_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{kept.id}\t{stamp}\t{kept.recipient}\t{kept.subject}")
