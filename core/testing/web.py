"""Drive the HTML pages in tests as a given member: sign in through the real form, keep that
member's cookies apart from other members' (one shared app client), and send CSRF tokens."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core.testing.environment import TEST_PASSWORD, TestEnvironment

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def section(html: str, marker: str) -> str:
    """The ``<section …>`` element of a page whose opening tag holds ``marker`` ("" if none)."""
    start = html.find(marker)
    if start < 0:
        return ""
    start = html.rfind("<section", 0, start)
    return html[start : html.find("</section>", start)]


class Browser:
    """A member's browser over the app's test client. ``cookies`` holds only this member's cookies."""

    __test__ = False

    def __init__(self, client: Any, slug: str, locale: str | None = None) -> None:
        self.client = client
        self.slug = slug
        self.cookies: dict[str, str] = {}
        self.locale = locale
        self.csrf = ""
        self.host: str | None = None  # the Host header to send, when not the test client's own

    def _headers(self) -> dict[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if self.locale:
            headers["Accept-Language"] = self.locale
        if self.host:
            headers["Host"] = self.host
        return headers

    def _keep(self, response: Any) -> Any:
        for key, value in response.cookies.items():
            if value:
                self.cookies[key] = value
            else:
                self.cookies.pop(key, None)
        for header in response.headers.get_list("set-cookie"):
            if "Max-Age=0" in header or "max-age=0" in header:
                self.cookies.pop(header.split("=", 1)[0], None)
        self.client.cookies.clear()  # the shared client must not carry this member's cookies
        if match := CSRF_FIELD.search(response.text or ""):
            self.csrf = match.group(1)
        return response

    def url(self, path: str) -> str:
        return path if path.startswith("/") and path.startswith("/t/") else f"/t/{self.slug}{path}"

    def get(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """GET with this browser's cookies; ``headers`` adds to them (``HX-Request``, for instance)."""
        self.client.cookies.clear()
        return self._keep(
            self.client.get(self.url(path), headers={**self._headers(), **(headers or {})}, **kwargs)
        )

    def post(
        self,
        path: str,
        data: dict[str, Any] | list[tuple[str, str]] | None = None,
        *,
        csrf: bool = True,
        **kwargs: Any,
    ) -> Any:
        """POST a form. Lists in ``data`` become repeated fields (checkbox groups)."""
        fields: list[tuple[str, str]] = []
        items = data.items() if isinstance(data, dict) else (data or [])
        for key, value in items:
            for one in value if isinstance(value, list) else [value]:
                fields.append((key, str(one)))
        if csrf and self.csrf:
            fields.append(("_csrf_token", self.csrf))
        self.client.cookies.clear()
        body = "&".join(f"{_q(k)}={_q(v)}" for k, v in fields)
        headers = {**self._headers(), "Content-Type": "application/x-www-form-urlencoded"}
        return self._keep(self.client.post(self.url(path), content=body, headers=headers, **kwargs))

    def upload(
        self,
        path: str,
        data: dict[str, str],
        files: dict[str, tuple[str, bytes, str]],
        *,
        csrf: bool = True,
        **kwargs: Any,
    ) -> Any:
        """POST a multipart form with ``files`` (field → (filename, content, media type))."""
        fields = dict(data)
        if csrf and self.csrf:
            fields["_csrf_token"] = self.csrf
        self.client.cookies.clear()
        return self._keep(
            self.client.post(self.url(path), data=fields, files=files, headers=self._headers(), **kwargs)
        )


def _q(value: str) -> str:
    from urllib.parse import quote_plus

    # surrogatepass: a test may send text no browser would (a lone surrogate), as raw bytes.
    return quote_plus(value, errors="surrogatepass")


def sign_in(client: Any, env: TestEnvironment, slug: str, role: str, locale: str | None = None) -> Browser:
    """A browser signed in as ``env``'s member of ``role`` in tenant ``slug``."""
    browser = Browser(client, slug, locale)
    browser.get("/login")
    response = browser.post(
        "/login",
        {"email": env.email(slug, role), "password": TEST_PASSWORD, "next": f"/t/{slug}/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return browser


@contextmanager
def app_client(env: TestEnvironment, **settings: Any) -> Iterator[Any]:
    """A test client of the app serving ``env``'s tenants with some ``settings`` changed: a module
    whose pages send mail points it at the kit's ``MailSink`` (``mail=sink.settings``) and at a
    public address for mailed links (``base_url``)."""
    from litestar.testing import TestClient

    from core.web.app import create_app

    app = create_app(dataclasses.replace(env.registry.settings, **settings), env.registry)
    with TestClient(app) as client:
        yield client
