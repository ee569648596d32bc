"""``pilot-crm report``: figures for the programme's reporting across countries (no personal data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from core.cli.context import load_registry, pick_tenants, require_sound_plugins, run
from core.cli.errors import acting_on, fail
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRuntime


@click.group()
def report() -> None:
    """Reports across tenants."""


def _chosen(ctx: click.Context, slugs: tuple[str, ...]) -> tuple[Any, list[TenantRuntime]]:
    registry = load_registry(ctx)
    if not slugs:
        return registry, pick_tenants(registry, None)
    chosen: list[TenantRuntime] = []
    for slug in dict.fromkeys(slugs):
        chosen += pick_tenants(registry, slug)
    return registry, chosen


@report.command("aggregate")
@click.option("--tenant", "slugs", multiple=True, help="Only this tenant (repeatable; default: all).")
@click.option("--output", required=True, help="Directory for aggregate.json and aggregate.xlsx.")
@click.pass_context
def aggregate(ctx: click.Context, slugs: tuple[str, ...], output: str) -> None:
    """Counts per tenant, with no names or contact data and cells under 5 people suppressed,
    written as JSON and XLSX."""
    from core.reports.aggregate import report as build_report
    from core.reports.aggregate import tenant_figures
    from core.reports.files import write_json, write_xlsx

    directory = Path(output)
    if directory.exists() and not directory.is_dir():
        fail(f"--output {output} is not a directory")
    registry, tenants = _chosen(ctx, slugs)
    if not tenants:
        fail("no tenant is declared")
    require_sound_plugins(tenants)

    async def collect() -> list[dict[str, Any]]:
        figures = []
        for tenant in tenants:
            acting_on(tenant)
            with tenant_context(tenant):
                figures.append(await tenant_figures())
        return figures

    document = build_report(run(registry, collect))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_json(document, directory / "aggregate.json")
        write_xlsx(document, directory / "aggregate.xlsx")
    except OSError as exc:
        fail(f"cannot write to {output}: {exc.strerror or exc}")
    names = ", ".join(t.slug for t in tenants)
    click.echo(f"aggregate figures of {names} written to {directory / 'aggregate.json'} and .xlsx")
