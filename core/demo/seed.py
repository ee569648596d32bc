"""Write a tenant's demo data through the domain services, so it is validated, audited and seen by
plugins exactly like data entered by people. All or nothing: one transaction for the whole set."""

from __future__ import annotations

import secrets
from typing import Any

from core.accounts.roles import COORDINATOR, GOVERNMENT_PARTICIPANT, NGO_PARTICIPANT, OBSERVER, SYSTEM, Actor
from core.accounts.service import create_user, find_user, set_password
from core.accounts.tables import User
from core.actions.service import ActionService
from core.actions.tables import JointAction, ProgressUpdate
from core.contacts.service import ContactService
from core.contacts.tables import Contact
from core.demo.builders import DemoSet, build, load_data
from core.errors import ValidationFailed
from core.meetings.service import MeetingService
from core.meetings.tables import Attendance, Meeting
from core.organizations.service import OrganizationService
from core.organizations.tables import Organization
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRuntime

DEMO_ROLES = (COORDINATOR, GOVERNMENT_PARTICIPANT, NGO_PARTICIPANT, OBSERVER)
Account = tuple[str, str, str | None]  # email, role, password (None: the account already existed)


def account_email(role: str, slug: str) -> str:
    return f"{role}@{slug}.demo"


async def counts() -> dict[str, int]:
    tables: dict[str, Any] = {
        "organizations": Organization,
        "contacts": Contact,
        "meetings": Meeting,
        "attendees": Attendance,
        "actions": JointAction,
        "progress_updates": ProgressUpdate,
        "users": User,
    }
    return {name: await table.count().run() for name, table in tables.items()}


async def ensure_accounts(
    slug: str, names: dict[str, str], locale: str
) -> tuple[list[Account], dict[str, Actor]]:
    """The four demo accounts; a password is generated (and returned) only for a new account."""
    accounts: list[Account] = []
    actors: dict[str, Actor] = {}
    for role in DEMO_ROLES:
        email = account_email(role, slug)
        user = await find_user(email)
        password = None
        if user is None:
            password = new_password()
            user = await create_user(email, role, password, names.get(role, ""), locale)
        accounts.append((email, user["role"], password))
        actors[role] = Actor(user_id=user["id"], email=user["email"], role=user["role"])
    return accounts, actors


def new_password() -> str:
    return secrets.token_urlsafe(12)


async def reset_passwords(tenant: TenantRuntime) -> list[Account]:
    """New passwords for ``tenant``'s demo accounts that exist (argon2id; their sessions end);
    returns ``(email, role, password)`` for each, in DEMO_ROLES order."""
    accounts: list[Account] = []
    with tenant_context(tenant):
        async with User._meta.db.transaction():  # all of a tenant's accounts, or none
            for role in DEMO_ROLES:
                user = await find_user(account_email(role, tenant.slug))
                if user is None:
                    continue
                password = new_password()
                await set_password(SYSTEM, user["id"], password)
                accounts.append((user["email"], user["role"], password))
    return accounts


async def _create(service: Any, form: dict[str, Any], label: str) -> int:
    try:
        return (await service.create(form))["id"]
    except ValidationFailed as exc:
        exc.add_note(f"demo {service.entity} {label!r}: {exc.errors}")
        raise


async def write(demo: DemoSet, actors: dict[str, Actor]) -> None:
    orgs = {key: await _create(OrganizationService(SYSTEM), form, key) for key, form in demo.organizations}
    people = [
        await _create(ContactService(SYSTEM), {**p.data, "organization": orgs[p.org]}, p.data["last_name"])
        for p in demo.contacts
    ]
    meetings: dict[str, int] = {}
    service = MeetingService(SYSTEM)
    for plan in demo.meetings:
        meetings[plan.key] = await _create(service, plan.data, plan.key)
        for index, status in sorted(plan.attendees.items()):
            await service.set_attendance(meetings[plan.key], people[index], status)
    authors = (actors[GOVERNMENT_PARTICIPANT], actors[NGO_PARTICIPANT])
    for action in demo.actions:
        form = {
            **action.data,
            "government_lead": orgs[action.lead],
            "partners": [orgs[k] for k in action.partners],
            "origin_meeting": meetings[action.origin],
        }
        action_id = await _create(ActionService(SYSTEM), form, action.data["title"])
        for n, (on_date, note) in enumerate(action.updates):
            await ActionService(authors[n % 2]).add_progress(
                action_id, {"on_date": on_date.isoformat(), "note": note}
            )
        if action.complete:
            for actor in authors:
                await ActionService(actor).confirm_completion(action_id)


async def seed_tenant(tenant: TenantRuntime) -> dict[str, Any]:
    """Seed ``tenant`` with its demo data and demo accounts, unless it already has organizations
    (or there is no demo data for it): then nothing is written.

    Returns ``{"counts": {table: rows}, "accounts": [(email, role, password or None)]}``; passwords are
    returned once, for accounts created now (None for demo accounts that already existed).
    """
    try:
        data = load_data(tenant.slug)
    except KeyError:
        data = None
    decl = tenant.declaration
    with tenant_context(tenant):
        if data is None or await Organization.count().run():
            found = [await find_user(account_email(role, tenant.slug)) for role in DEMO_ROLES]
            existing = [(u["email"], u["role"], None) for u in found if u]
            return {"counts": await counts(), "accounts": existing}
        locale = data.locale if data.locale in decl.locales else decl.default_locale
        demo = build(data, timezone=decl.timezone, locales=decl.locales)
        async with Organization._meta.db.transaction():
            accounts, actors = await ensure_accounts(tenant.slug, data.account_names, locale)
            await write(demo, actors)
            for records in tenant.plugins.hook.pilot_crm_demo_records(tenant=tenant.slug):
                await records
        return {"counts": await counts(), "accounts": accounts}
