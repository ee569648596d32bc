"""Small helpers of the plugin's tests: JSON calls as a member of a tenant, and activities."""

from __future__ import annotations

import re
import secrets
from typing import Any

from markupsafe import escape

# The kit's tenants for these tests (conftest.py): one enables the plugin, one does not.
ON, OFF = "taller", "plain"


class Api:
    """The tenant's JSON API as the kit's member of ``role``; each call checks the status it expects."""

    def __init__(self, client: Any, env: Any, role: str = "coordinator", slug: str = ON) -> None:
        self.client, self.headers, self.base = client, env.headers(slug, role), f"/t/{slug}/api/v1"

    def call(self, method: str, path: str, status: int, body: Any = None, **params: Any) -> Any:
        response = self.client.request(
            method, self.base + path, json=body, params=params or None, headers=self.headers
        )
        assert response.status_code == status, (method, path, response.status_code, response.text[:500])
        return (
            response.json() if response.content and "json" in response.headers["content-type"] else response
        )

    def get(self, path: str, status: int = 200, **params: Any) -> Any:
        return self.call("GET", path, status, **params)

    def post(self, path: str, body: Any, status: int = 201) -> Any:
        return self.call("POST", path, status, body)

    def patch(self, path: str, body: Any, status: int = 200) -> Any:
        return self.call("PATCH", path, status, body)


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def workshop(**fields: Any) -> dict[str, Any]:
    """A valid activity's body: a national workshop, its fields overridden by ``fields``."""
    return {
        "kind": "workshop",
        "title": unique("Taller nacional"),
        "format": "in_person",
        "starts_at": "2027-03-10T09:00:00-06:00",
        "ends_at": "2027-03-12T17:00:00-06:00",
        "status": "draft",
        **fields,
    }


def activity(api: Api, **fields: Any) -> dict[str, Any]:
    return api.post("/engagement/activities", workshop(**fields))


def gettext(env: Any, locale: str, msgid: str, slug: str = ON, **params: Any) -> str:
    """``msgid`` as the tenant's pages show it in ``locale`` (core's catalogs, then the plugin's)."""
    return env.registry.get(slug).translator(locale).gettext(msgid, **params)


def certificate(client: Any, env: Any, api: Api) -> dict[str, Any]:
    """A certificate issued to a new participant of a new activity (no session held and no
    self-assessment: the rule holds), the participant written as a row as selection will make it."""
    from datetime import UTC, datetime

    from plugins.engagement.tables import Participant

    made = activity(api)
    person = api.post("/contacts", {"first_name": "Eva", "last_name": unique("Paz")})
    row = {"activity": made["id"], "contact": person["id"], "created_at": datetime.now(UTC)}
    env.run(client, api.base.split("/")[2], lambda: Participant.insert(Participant(**row)).run())
    issued = api.post(f"/engagement/activities/{made['id']}/certificates/issue", None, status=200)
    return issued["issued"][0]


def refused_over_limit(env: Any, response: Any, field_id: str, limit: int, locale: str = "es") -> None:
    """``response`` refuses a value one character over ``limit``: a 400 saying the limit by the field
    ``field_id``, whose control carries no ``maxlength`` (a browser would cut a pasted text silently)."""
    assert response.status_code == 400, response.text[:300]
    message = gettext(env, locale, "Enter at most {max} characters.", max=limit)
    assert str(escape(message)) in response.text
    control = re.search(rf'<(input|textarea)\b[^>]*\bid="{re.escape(field_id)}"[^>]*>', response.text)
    assert control, field_id
    assert 'aria-invalid="true"' in control.group(0) and "maxlength" not in control.group(0)
