"""``pilot-crm import``: the page's import from a terminal. It reads the file, maps the columns
(a saved mapping, or suggested from the headers), runs the dry run with a progress bar, prints what
it would do and writes the rejected lines next to the file; with ``--commit`` it then imports, all
or nothing. ``pilot-crm import --undo BATCH`` takes a committed batch back.

It acts as a coordinator of the tenant: the one named by ``--as`` (audited under their name), or
the system."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from core.accounts.roles import SYSTEM, Actor
from core.cli.context import load_registry, pick_tenants, require_sound_plugins, run
from core.cli.errors import fail
from core.tenancy.context import tenant_context

ENTITIES = {"contacts": "contact", "organizations": "organization"}


async def _actor(email: str | None) -> Actor:
    if not email:
        return SYSTEM
    from core.accounts.identity import normalize_email
    from core.accounts.tables import User

    row = (
        await User.select(User.id, User.email, User.role)
        .where((User.email == normalize_email(email)) & (User.active == True))  # noqa: E712
        .first()
        .run()
    )
    if row is None or row["role"] != "coordinator":
        fail(f"--as {email}: no active coordinator of this tenant has this email")
    return Actor(user_id=row["id"], email=row["email"], role=row["role"])


def _bar() -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    class Rate(TextColumn):
        def __init__(self) -> None:
            super().__init__("")

        def render(self, task: Any) -> Any:
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} lines/s" if speed else "")

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        Rate(),
        TimeRemainingColumn(),
        transient=False,
    )


def _reporter(bar: Any, description: str) -> Any:
    task = bar.add_task(description, total=None)

    def report(done: int, total: int) -> None:
        bar.update(task, completed=done, total=max(total, done) or None)

    return report


@click.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--tenant", "slug", required=True, help="The tenant to import into.")
@click.option(
    "--records",
    "kind",
    type=click.Choice(sorted(ENTITIES)),
    default="contacts",
    show_default=True,
    help="What the file's lines are.",
)
@click.option("--mapping", "saved", default="", help="Use the saved column mapping of this name.")
@click.option("--save-mapping", default="", help="Save the mapping used under this name.")
@click.option(
    "--on-duplicate",
    type=click.Choice(["skip", "update", "create"]),
    default="skip",
    show_default=True,
    help="What to do with lines that match a record, or an earlier line.",
)
@click.option(
    "--commit", is_flag=True, help="Import after the dry run (all or nothing); without it, only the dry run."
)
@click.option("--as", "as_email", default="", help="Email of the coordinator the import is audited under.")
@click.option(
    "--rejected", default="", help="Where to write the rejected lines (default: FILE.rejected.csv)."
)
@click.option(
    "--undo",
    "undo_batch",
    type=click.IntRange(min=1),
    default=None,
    help="Undo this committed batch instead.",
)
@click.pass_context
def import_(
    ctx: click.Context,
    file: str | None,
    slug: str,
    kind: str,
    saved: str,
    save_mapping: str,
    on_duplicate: str,
    commit: bool,
    as_email: str,
    rejected: str,
    undo_batch: int | None,
) -> None:
    """Import organizations or contacts from a CSV or XLSX FILE into a tenant (a dry run, unless
    --commit), or undo a committed batch (--undo BATCH)."""
    if undo_batch is not None:
        return _undo(ctx, undo_batch, slug, as_email)
    if not file:
        fail("give the FILE to import (see pilot-crm import --help)")
    path = Path(file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]
    require_sound_plugins([tenant])
    entity = ENTITIES[kind]
    rejected_path = Path(rejected) if rejected else path.with_name(path.name + ".rejected.csv")

    async def main() -> None:
        from core.imports.service import ImportService

        with tenant_context(tenant):
            actor = await _actor(as_email)
            service = ImportService(actor)
            batch_id = await service.start(entity, path.name, content, saved)
            batch = await service.get(batch_id)
            if saved and not batch["mapping"]:
                fail(f"--mapping {saved}: no saved mapping of this name fits the file's columns")
            headers = batch["headers"]
            chosen = {int(i): name for i, name in batch["mapping"].items()}
            for index, header in enumerate(headers):
                target = chosen.get(index, "(not imported)")
                click.echo(f"  column {index + 1} {header!r} -> {target}")
            await service.configure(batch_id, chosen, on_duplicate, save_mapping)
            with _bar() as bar:
                counts = await service.plan(batch_id, _reporter(bar, "dry run"))
            click.echo(
                f"batch {batch_id}: {counts['create']} to create, {counts['update']} to update, "
                f"{counts['skip']} to skip, {counts['error']} rejected"
            )
            if counts["error"]:
                await _write_rejected(service, batch_id, headers, rejected_path, tenant)
                click.echo(f"rejected lines and their reasons written to {rejected_path}")
            if not commit:
                click.echo(
                    "dry run only: import it with --commit, "
                    f"or on the page /t/{tenant.slug}/imports/{batch_id}"
                )
                return
            await service.begin_commit(batch_id)
            with _bar() as bar:
                result = await service.commit(batch_id, _reporter(bar, "import"))
            click.echo(
                f"batch {batch_id} imported: {result['created']} created, {result['updated']} updated "
                f"(undo: pilot-crm import --tenant {tenant.slug} --undo {batch_id})"
            )

    run(registry, main, tenant)


async def _write_rejected(service: Any, batch_id: int, headers: list[str], target: Path, tenant: Any) -> None:
    from core.imports.rejected import rejected_file

    try:
        with target.open("wb") as out:
            async for chunk in rejected_file(service, batch_id, headers, tenant.translator(None), "csv"):
                out.write(chunk)
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}")


def _undo(ctx: click.Context, batch_id: int, slug: str, as_email: str) -> None:
    registry = load_registry(ctx)
    tenant = pick_tenants(registry, slug)[0]

    async def main() -> dict[str, int]:
        from core.imports.service import ImportService

        with tenant_context(tenant):
            return await ImportService(await _actor(as_email)).undo(batch_id)

    result = run(registry, main, tenant)
    click.echo(f"batch {batch_id} undone: {result['deleted']} records deleted, {result['restored']} restored")
