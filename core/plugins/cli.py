"""``pilot-crm plugins``: list, check, scaffold and migrate plugins (a plugin author's commands)."""

from __future__ import annotations

import click


@click.group()
def plugins() -> None:
    """Installed plugins: list them, check them, start a new one, make its migrations."""


@plugins.command("new")
@click.argument("name")
@click.option("--country", required=True, help="ISO 3166-1 alpha-3 code of the plugin's country (KEN).")
@click.option(
    "--locales",
    required=True,
    help="Comma-separated languages it ships catalogs for (en,sw); the first is its test tenant's default.",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Where to write the package folder pilot-crm-NAME.",
)
def new(name: str, country: str, locales: str, output: str) -> None:
    """Write a new plugin package: pyproject, plugin module, catalogs, README and tests."""
    from pathlib import Path

    from core.cli.errors import fail
    from core.plugins.scaffold import ScaffoldError, parse_spec, write_plugin

    try:
        target = write_plugin(parse_spec(name, country, locales), Path(output))
    except ScaffoldError as exc:
        fail(str(exc))
    click.echo(f"wrote {target}")
    click.echo(f"next: pip install -e '{target}[test]' && pytest {target}")


@plugins.command("makemigrations")
@click.argument("name")
@click.option("--description", default="", help="What the migration does (kept in the file).")
def makemigrations(name: str, description: str) -> None:
    """Write the Piccolo migration for what changed in plugin NAME's tables, into its migrations
    folder (install the plugin editable, pip install -e, so that folder is its source tree's)."""
    import asyncio

    from core.cli.errors import fail
    from core.plugins.migrations import PluginMigrationError, make_migrations

    try:
        written = asyncio.run(make_migrations(name, description))
    except PluginMigrationError as exc:
        fail(str(exc))
    for outcome in written:
        click.echo(f"{outcome.app}: wrote {outcome.path}" if outcome.path else f"{outcome.app}: no changes")
