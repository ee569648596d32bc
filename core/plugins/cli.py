"""``pilot-crm plugins``: list, check, scaffold and migrate plugins (a plugin author's commands)."""

from __future__ import annotations

import sys

import click

from core.cli.context import load_registry
from core.cli.errors import say_error
from core.settings import Settings
from core.tenancy.registry import TenantRegistry


@click.group()
def plugins() -> None:
    """Installed plugins: list them, check them, start a new one, make its migrations."""


def _registry(ctx: click.Context) -> TenantRegistry | None:
    """The declared tenants, or None without a tenants directory: a plugin can be checked before
    any tenant enables it (a bad declaration still stops the command, as everywhere)."""
    settings: Settings = ctx.find_root().obj["settings"]
    return load_registry(ctx) if settings.tenants_dir.is_dir() else None


@plugins.command("list")
@click.pass_context
def plugins_list(ctx: click.Context) -> None:
    """Installed plugins: version, plugin API versions supported, hooks, tenants enabling each."""
    from core.plugins.checks import HOOK_PREFIX
    from core.plugins.inventory import installed_plugins

    registry = _registry(ctx)
    click.echo("name\tversion\tapi\thooks\ttenants")
    for plugin in installed_plugins():
        tenants = [t.slug for t in registry or () if plugin.name in t.declaration.plugins]
        api = ",".join(map(str, plugin.api_versions)) if plugin.api_versions is not None else "-"
        hooks = plugin.error or ",".join(h.removeprefix(HOOK_PREFIX) for h in plugin.hooks) or "-"
        click.echo(f"{plugin.name}\t{plugin.version}\t{api}\t{hooks}\t{','.join(tenants) or '-'}")


@plugins.command("check")
@click.pass_context
def plugins_check(ctx: click.Context) -> None:
    """Check every installed plugin (imports, hooks, fields, topics, catalogs) and report, per tenant
    and locale, the share of core's and each plugin's strings translated. Exit 1 on any problem."""
    from core.i18n.coverage import coverage
    from core.plugins.checks import tenant_problems
    from core.plugins.manager import available_plugins
    from core.plugins.startup import check_installed

    registry = _registry(ctx)
    names = sorted(available_plugins())
    checked = check_installed(names)
    problems = list(checked.problems)
    for name in names:
        if not checked.failed([name]):
            click.echo(f"{name}: ok")
    lines = []
    for tenant in registry or ():
        found = tenant_problems(tenant, checked)
        problems += found
        if not found and not checked.failed(tenant.declaration.plugins):
            lines += coverage(tenant)
    if lines:
        click.echo("translated (tenant, locale, catalog, share of its msgids):")
        for line in lines:
            click.echo(line.line())
    if problems:
        for problem in problems:
            say_error(problem)
        sys.exit(1)
    if not names:
        click.echo("no plugins installed")
