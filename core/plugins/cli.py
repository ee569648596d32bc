"""``pilot-crm plugins``: list, check, scaffold and migrate plugins (a plugin author's commands)."""

from __future__ import annotations

import click


@click.group()
def plugins() -> None:
    """Installed plugins: list them, check them, start a new one, make its migrations."""
