"""The searchable picker's matches: ``/pick/contacts``, ``/pick/organizations`` and ``/pick/members``
answer a search (``q``) with a small HTML fragment, the ``role="option"`` items of the picker's
listbox and, swapped out of band, the sentence its live region reads (how many matches, or what is
wrong with the search). ``picker`` is the id of the picker asking, which the fragment's ids extend.
A search the list could not take is answered 400 with that sentence (the picker shows it)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated

from litestar import Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from core.errors import ValidationFailed
from core.forms.picking import Picked, pick_contacts, pick_members, pick_organizations
from core.forms.vocabulary import SIDES
from core.i18n.markers import N_
from core.web.pages.guards import require_coordinator, require_signed_in
from core.web.pages.render import page_parts, render
from core.web.params import FromQuery, QueryId

TEMPLATE = "pick/options.html"
PickerId = Annotated[str, QueryParameter(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
Side = Annotated[str | None, QueryParameter(pattern="^(" + "|".join(c.value for c in SIDES) + ")$")]


async def _answer(request: Request, picker: str, matches: Awaitable[Picked], nothing: str) -> Template:
    """The options and their count; ``nothing`` is the msgid said when no record matches."""
    _, t, _ = page_parts(request)
    try:
        picked = await matches
    except ValidationFailed as exc:
        message = " ".join(t.message(m) for messages in exc.errors.values() for m in messages)
        return render(request, TEMPLATE, status=400, picker=picker, items=[], status_text=message)
    count = len(picked.items)
    if not count:
        text = t.gettext(nothing)
    elif picked.more:  # (number-neutral sentences: no plural forms needed in any language)
        text = t.gettext(
            N_("Matches shown: the first {count}. Type more to narrow the list."),
            count=t.format_number(count),
        )
    else:
        text = t.gettext(N_("Matches found: {count}."), count=t.format_number(count))
    return render(request, TEMPLATE, picker=picker, items=picked.items, status_text=text)


@get("/pick/contacts", guards=[require_signed_in], include_in_schema=False)
async def pick_contact(
    request: Request, picker: PickerId = "pick", q: FromQuery[str | None] = None, meeting: QueryId = None
) -> Template:
    """Contacts the member may see; ``meeting`` leaves out those already on its list of attendees."""
    _, t, actor = page_parts(request)
    assert actor is not None
    return await _answer(
        request, picker, pick_contacts(actor, t.locale, q, meeting), N_("No contact matches this search.")
    )


@get("/pick/organizations", guards=[require_signed_in], include_in_schema=False)
async def pick_organization(
    request: Request, picker: PickerId = "pick", q: FromQuery[str | None] = None, side: Side = None
) -> Template:
    """Organizations; ``side`` keeps one stakeholder side (a government lead, non-governmental partners)."""
    _, t, actor = page_parts(request)
    assert actor is not None
    return await _answer(
        request,
        picker,
        pick_organizations(actor, t.locale, q, side),
        N_("No organization matches this search."),
    )


@get("/pick/members", guards=[require_coordinator], include_in_schema=False)
async def pick_member(
    request: Request, picker: PickerId = "pick", q: FromQuery[str | None] = None
) -> Template:
    """The tenant's active members, by name or email (coordinators only: emails are personal data)."""
    _, _, actor = page_parts(request)
    assert actor is not None
    return await _answer(request, picker, pick_members(actor, q), N_("No member matches this search."))


HANDLERS = [pick_contact, pick_organization, pick_member]
