"""The app's whole surface, read from the running app: every operation of its OpenAPI document and
every page route under a tenant. Suites that must cover every route (isolation, generated input)
take their operations from here rather than listing them, so a new route, core's or a plugin's,
is covered the day it ships."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

TENANT = "/t/{tenant_slug}"
API = TENANT + "/api/v1"
FILTERS_DOC = re.compile(r"Filters \(query parameters\): ([\w, ]+)\.")
# A record collection's create operation names the form its body follows (``core.records.api``).
FORM_DOC = re.compile(r"Body: the `(\w+)` form")
# Last segments that name an action on a collection, not a collection (``/contacts/new``).
ACTION_SEGMENTS = frozenset({"new", "export", "export.csv", "export.xlsx"})


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str  # a template: /t/{tenant_slug}/api/v1/contacts/{record_id}
    query: tuple[str, ...] = ()
    body: bool = False
    public: bool = False  # served without a member (sign-in, language switch)
    form: str | None = None  # the record form a create operation's body follows

    @property
    def api(self) -> bool:
        return self.path.startswith(API + "/")

    @property
    def params(self) -> list[str]:
        return [p for p in re.findall(r"{(\w+)}", self.path) if p != "tenant_slug"]

    @property
    def resource(self) -> str:
        """The collection a path is about: ``contacts`` for any API or page path about contacts,
        ``networks/memberships`` for a plugin's ``/networks/memberships/{record_id}/edit``: the
        segments before the first parameter, without a last one that names an action."""
        rest = self.path.removeprefix(API if self.api else TENANT).strip("/")
        segments = []
        for segment in rest.split("/"):
            if segment.startswith("{"):
                break
            segments.append(segment)
        if len(segments) > 1 and segments[-1] in ACTION_SEGMENTS:
            segments.pop()
        return "/".join(segments)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def served_operations(operations: list[Operation], enabled: Iterable[str]) -> list[Operation]:
    """``operations`` without the routes of installed plugins none of ``enabled`` names: the app
    mounts every installed plugin (a tenant declared while it runs may enable any), and a plugin's
    routes only answer 404 under a tenant that does not enable it."""
    from core.plugins.manager import available_plugins

    others = available_plugins() - set(enabled)

    def plugin(op: Operation) -> str:
        rest = op.path.removeprefix(API if op.api else TENANT).strip("/")
        return rest.split("/", 1)[0]

    return [op for op in operations if plugin(op) not in others]


def api_operations(client: Any) -> list[Operation]:
    """Every operation of the OpenAPI document under a tenant, with its declared query parameters
    (list filters included)."""
    document = client.get("/schema/openapi.json")
    assert document.status_code == 200
    operations = []
    for path, item in document.json()["paths"].items():
        if not path.startswith(TENANT + "/"):
            continue
        for method, spec in item.items():
            query = [p["name"] for p in spec.get("parameters", []) if p["in"] == "query"]
            if match := FILTERS_DOC.search(spec.get("description", "")):
                # The filters the description names must be declared parameters too.
                named = {name.strip() for name in match.group(1).split(",") if name.strip() != "none"}
                assert named <= set(query), (
                    f"{method.upper()} {path}: undeclared filters {named - set(query)}"
                )
            form = FORM_DOC.search(spec.get("description", ""))
            operations.append(
                Operation(
                    method.upper(), path, tuple(query), "requestBody" in spec, form=form and form.group(1)
                )
            )
    return operations


def page_operations(app: Any, api: list[Operation]) -> list[Operation]:
    """Every page route under a tenant (not in the OpenAPI document). A page list takes the query
    parameters of its API list; every POST carries a form."""
    list_query = {op.path.replace(API, TENANT): op.query for op in api if op.method == "GET"}
    operations = []
    for route in app.routes:
        path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)
        if not (path == TENANT or path.startswith(TENANT + "/")) or path.startswith(API + "/"):
            continue
        for method, handler in route.route_handler_map.items():
            if method in ("HEAD", "OPTIONS"):
                continue
            # Core's public pages have no guard; a plugin's carry its router's gate and say so.
            public = not handler[0].resolve_guards() or bool(handler[0].opt.get("public"))
            query = list_query.get(path, ()) if method == "GET" else ()
            # A page taking a record form's fields outside core's record pages says which form.
            form = handler[0].opt.get("form")
            operations.append(Operation(method, path, query, method == "POST", public, form=form))
    return operations


# Routes outside any tenant that are not pages: the OpenAPI document, static files, liveness.
NOT_PAGES = ("/schema", "/static", "/fonts", "/healthz")  # the API document, files, the health probe


def site_operations(app: Any) -> list[Operation]:
    """Every page outside any tenant (the root page, which lists the tenants): public, as no tenant's
    member can be asked for there, and reading no tenant's data."""
    operations = []
    for route in app.routes:
        path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)
        if path.startswith(("/t/", *NOT_PAGES)):
            continue
        for method in route.route_handler_map:
            if method not in ("HEAD", "OPTIONS"):
                operations.append(Operation(method, path, body=method == "POST", public=True))
    return operations


@dataclass
class HtmlForm:
    """A form as a page serves it: where it posts and the fields it would send as filled in."""

    action: str
    method: str
    fields: list[tuple[str, str]]

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self.fields))


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = HtmlForm(a.get("action", ""), a.get("method", "get").lower(), [])
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if "selected" in a or (self._first_option is None and value):
                self._first_option = value
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "reset", "image"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._first_option = a["name"], None
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None and self._select is not None:
            self._form.fields.append((self._select, self._first_option or ""))
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea is not None:
            self._form.fields.append((self._textarea, self._text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data


def html_forms(html: str) -> list[HtmlForm]:
    """Every form of a page, with the values it would submit untouched."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms
