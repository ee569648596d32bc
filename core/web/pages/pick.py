"""The searchable picker's matches: ``/pick/contacts``, ``/pick/organizations`` and ``/pick/members``
answer a search (``q``) with a small HTML fragment, the ``role="option"`` items of the picker's
listbox and, swapped out of band, the sentence its live region reads (how many matches, or what is
wrong with the search). ``picker`` is the id of the picker asking, which the fragment's ids extend.
A search the list could not take is answered 400 with that sentence (the picker shows it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from litestar import Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from core.accounts.roles import Actor
from core.errors import ValidationFailed
from core.forms.picking import Picked, pick_contacts, pick_members, pick_organizations
from core.forms.vocabulary import SIDES
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.web.pages.guards import require_coordinator, require_signed_in
from core.web.pages.render import page_parts, render
from core.web.params import FromQuery, QueryId

TEMPLATE = "pick/options.html"
PickerId = Annotated[str, QueryParameter(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
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


@get("/pick/contacts", guards=[require_signed_in], include_in_schema=False)
async def pick_contact(
    request: Request, picker: PickerId = "pick", q: FromQuery[str | None] = None, meeting: QueryId = None
) -> Template:
    """Contacts the member may see; ``meeting`` leaves out those already on its list of attendees."""

    def matches(actor: Actor, t: Translator) -> Awaitable[Picked]:
        return pick_contacts(actor, t.locale, q, meeting)

    return await _answer(request, picker, matches, N_("No contact matches this search."))


@get("/pick/organizations", guards=[require_signed_in], include_in_schema=False)
async def pick_organization(
    request: Request, picker: PickerId = "pick", q: FromQuery[str | None] = None, side: Side = None
) -> Template:
    """Organizations; ``side`` keeps one stakeholder side (a government lead, non-governmental partners)."""

    def matches(actor: Actor, t: Translator) -> Awaitable[Picked]:
        return pick_organizations(actor, t.locale, q, side)

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
