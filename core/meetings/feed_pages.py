"""The calendar feed URL, answered without a session (calendar apps cannot sign in): the secret in
the path is the credential (``core.meetings.feeds``). Each client address spends the public read
budget (``Throttles.public_read``); an unknown, revoked or other tenant's token is a 404."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get
from litestar.params import Parameter

from core.errors import NotFound, TooManyRequests
from core.i18n.markers import N_
from core.meetings.calendar import MEDIA_TYPE, calendar_file
from core.meetings.feeds import feed_member, invited_meetings
from core.web.pages.auth import client_address, throttles
from core.web.pages.render import page_parts

FeedToken = Annotated[str, Parameter(max_length=128)]
FEED_PATH = "/calendar/{token}/meetings.ics"


def feed_url(base: str, slug: str, token: str) -> str:
    return f"{base}/t/{slug}" + FEED_PATH.format(token=token)


@get("/calendar/{feed_token:str}/meetings.ics", name="calendar_feed")
async def calendar_feed(request: Request, feed_token: FeedToken) -> Response[bytes]:
    tenant, t, _ = page_parts(request)
    if not await throttles(request).public_read.attempt(address=client_address(request)):
        raise TooManyRequests()
    member = await feed_member(feed_token)
    if member is None:
        raise NotFound()
    meetings = await invited_meetings(member["email"])
    name = f"{t.gettext(N_('Meetings'))} — {tenant.declaration.name_in(t.locale)}"
    body = calendar_file(tenant.slug, meetings, t.gettext, name=name)
    return Response(
        body, media_type=MEDIA_TYPE, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )
