"""The searchable picker's matches: ``/pick/contacts``, ``/pick/organizations`` and ``/pick/members``
answer a search (``q``) with a small HTML fragment, the ``role="option"`` items of the picker's
listbox and, swapped out of band, the sentence its live region reads (how many matches, or what is
wrong with the search). ``picker`` is the id of the picker asking, which the fragment's ids extend.
``without`` and ``of`` leave out the contacts or organizations already linked to one record (a
``PickExclusion`` of core or of a plugin the tenant enables: ``without=networks.members&of=12``).
A search the list could not take is answered 400 with that sentence (the picker shows it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Annotated

from litestar import Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from core.accounts.roles import Actor
from core.errors import ValidationFailed
from core.forms.picking import Picked, left_out, pick_contacts, pick_members, pick_organizations
from core.forms.vocabulary import SIDES
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.web.pages.guards import require_coordinator, require_signed_in
from core.web.pages.render import page_parts, render
from core.web.params import FromQuery, QueryId

TEMPLATE = "pick/options.html"
PickerId = Annotated[str, QueryParameter(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
# An exclusion's key (``PickExclusion.key``): bounded, one per search.
Without = Annotated[str | None, QueryParameter(pattern=r"^[a-z][a-z0-9_.-]{0,63}$")]
Side = Annotated[str | None, QueryParameter(pattern="^(" + "|".join(c.value for c in SIDES) + ")$")]


Matches = Callable[[Actor, Translator], Awaitable[Picked]]


async def _answer(request: Request, picker: str, matches: Matches, nothing: str) -> Template:
    """The options ``matches`` finds for the member, and their count; ``nothing`` is the msgid said
    when no record matches."""
    _, t, actor = page_parts(request)
    assert actor is not None  # the handlers' guards require a member
    try:
        picked = await matches(actor, t)
    except ValidationFailed as exc:
        message = " ".join(t.message(m) for messages in exc.errors.values() for m in messages)
        return render(request, TEMPLATE, status=400, picker=picker, items=[], status_text=message)
    count = t.format_number(len(picked.items))
    if not picked.items:
        text = t.gettext(nothing)
    elif picked.more:  # (number-neutral sentences: no plural forms needed in any language)
        text = t.gettext(N_("Matches shown: the first {count}. Type more to narrow the list."), count=count)
    else:
        text = t.gettext(N_("Matches found: {count}."), count=count)
    return render(request, TEMPLATE, picker=picker, items=picked.items, status_text=text)


async def _left_out(
    request: Request, actor: Actor, t: Translator, picks: str, without: str | None, of: int | None
) -> Collection[int]:
    """The ids of ``picks`` (``contact``, ``organization``) the tenant's exclusion ``without`` finds
    linked to record ``of``."""
    tenant, _, _ = page_parts(request)
    declared = [e for found in tenant.plugins.hook.pilot_crm_pick_exclusions() for e in found]
    return await left_out(declared, picks, without, of, actor, t.locale)


@get("/pick/contacts", guards=[require_signed_in], include_in_schema=False)
async def pick_contact(
    request: Request,
    picker: PickerId = "pick",
    q: FromQuery[str | None] = None,
    without: Without = None,
    of: QueryId = None,
) -> Template:
    """Contacts the member may see, but those ``without`` finds linked to record ``of``."""

    async def matches(actor: Actor, t: Translator) -> Picked:
        ids = await _left_out(request, actor, t, "contact", without, of)
        return await pick_contacts(actor, t.locale, q, ids)

    return await _answer(request, picker, matches, N_("No contact matches this search."))


@get("/pick/organizations", guards=[require_signed_in], include_in_schema=False)
async def pick_organization(
    request: Request,
    picker: PickerId = "pick",
    q: FromQuery[str | None] = None,
    side: Side = None,
    without: Without = None,
    of: QueryId = None,
) -> Template:
    """Organizations; ``side`` keeps one stakeholder side (a government lead, non-governmental
    partners); ``without`` and ``of`` leave out those linked to a record."""

    async def matches(actor: Actor, t: Translator) -> Picked:
        ids = await _left_out(request, actor, t, "organization", without, of)
        return await pick_organizations(actor, t.locale, q, side, ids)

    return await _answer(request, picker, matches, N_("No organization matches this search."))


@get("/pick/members", guards=[require_coordinator], include_in_schema=False)
async def pick_member(
    request: Request, picker: PickerId = "pick", q: FromQuery[str | None] = None
) -> Template:
    """The tenant's active members, by name or email (coordinators only: emails are personal data)."""
    return await _answer(
        request, picker, lambda actor, _t: pick_members(actor, q), N_("No member matches this search.")
    )


HANDLERS = [pick_contact, pick_organization, pick_member]
