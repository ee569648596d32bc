"""How ``pilot-crm`` fails: exit status 1 and one ``error:`` line on stderr, never a traceback.

Commands record the tenant they work on (:func:`acting_on`); :class:`OneLineErrors`, the class of
the top-level group, turns whatever a command raises into one line naming that tenant and, for a
database that is not migrated, unreachable or damaged (``core.db.failures``), the fix.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from core.db.failures import DAMAGED, NOT_MIGRATED, UNREACHABLE, classify, one_line
from core.errors import DomainError, ValidationFailed

if TYPE_CHECKING:
    from core.tenancy.registry import TenantRuntime

TENANT_KEY = "pilot_crm.tenant"


def say_error(reason: str) -> None:
    click.echo(f"error: {reason}", err=True)


def fail(reason: str) -> NoReturn:
    say_error(reason)
    sys.exit(1)


def acting_on(tenant: TenantRuntime) -> None:
    """Name ``tenant`` in the error line should the command fail from here on."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[TENANT_KEY] = tenant  # meta is shared by the group's context and its commands'


def _database_line(kind: str, detail: str, tenant: TenantRuntime) -> str:
    slug = tenant.slug
    if kind == NOT_MIGRATED:
        return f"tenant '{slug}' is not migrated ({detail}): run pilot-crm migrate --tenant {slug}"
    if kind == UNREACHABLE:
        return f"tenant '{slug}': database unreachable ({detail}): check its server and its database_url"
    assert kind == DAMAGED
    return (
        f"tenant '{slug}': database file {tenant.declaration.sqlite_path} is damaged ({detail}): "
        f"move it aside, then run pilot-crm restore --tenant {slug} ARCHIVE"
    )


def reason(exc: BaseException, tenant: TenantRuntime | None) -> str:
    """The one line (without ``error:``) that says why a command failed."""
    failure = classify(exc)
    if tenant is not None and failure is not None:
        return _database_line(failure.kind, failure.detail, tenant)
    where = f"tenant '{tenant.slug}': " if tenant is not None else ""
    if isinstance(exc, ValidationFailed):
        field, messages = next(iter(exc.errors.items()))
        return f"{where}{field}: {messages[0].msgid.format(**messages[0].params)}"
    if isinstance(exc, DomainError):
        return where + exc.message.msgid.format(**exc.message.params)
    return f"{where}unexpected {type(exc).__name__}: {one_line(exc)}"


class OneLineErrors(click.Group):
    """A group whose commands end with one ``error:`` line whatever they raise."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: usage errors, --help, a declined prompt
        except Exception as exc:
            try:
                line = reason(exc, ctx.meta.get(TENANT_KEY))
            except Exception:  # a message that cannot be formatted still ends in one line
                line = f"unexpected {type(exc).__name__}"
            fail(line)
