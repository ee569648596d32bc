"""Small helpers of the plugin's tests: JSON calls as a member of a tenant, and records to work with."""

from __future__ import annotations

import secrets
from typing import Any

from core.plugin_api import section

__all__ = ["section"]  # the kit's, where these tests have always found it

# The kit's tenants for these tests (conftest.py): one enables the plugin, one does not.
ON, OFF = "red", "plain"


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


def network(api: Api, **fields: Any) -> dict[str, Any]:
    return api.post("/networks", {"name": unique("Red"), "scope": "national", **fields})


def organization(api: Api, **fields: Any) -> dict[str, Any]:
    return api.post("/organizations", {"name": unique("Organización"), "sector": "ngo", **fields})


def membership(api: Api, network_id: int, organization_id: int, **fields: Any) -> dict[str, Any]:
    body = {"network": network_id, "organization": organization_id, "role": "member", **fields}
    return api.post("/networks/memberships", body)


def gettext(env: Any, locale: str, msgid: str, slug: str = ON, **params: Any) -> str:
    """``msgid`` as the tenant's pages show it in ``locale`` (core's catalogs, then the plugin's)."""
    return env.registry.get(slug).translator(locale).gettext(msgid, **params)
