"""Generated hostile input, on SQLite and PostgreSQL.

Three tenants, one per shipped country plugin (Mexico, Angola, the Arabic demonstration), hold
records carrying their own marker. The operations come from the running app (its OpenAPI document
and its page routes, `core.testing.surface`) and the fields from each tenant's form definitions
(core and plugin), never from a list here. Two kinds of test:

- Sweeps, one case per (field, JSON shape) and per (list, query parameter): a value of the wrong
  shape is a 400 naming that field in the tenant's language; a parameter given twice, or a search
  beyond its bounds, is a 400 naming that parameter, on the API and on the pages.
- Property-based runs (hypothesis): for every operation, bodies and query strings of every JSON shape
  and odd text (control characters, lone surrogates, very long strings, thousands of words, deep
  nesting, repeated parameters), sent by the tenant's coordinator. Never a 5xx; API refusals are
  conforming problem details; no answer shows another tenant's marker; afterwards every tenant's
  audit chain verifies.

The test command runs the ``default`` profile (derandomized, a few examples per operation); a
release check runs ``pytest tests/integration/test_generated_inputs.py --hypothesis-profile=deep``.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from core.actions.service import PROGRESS_FIELDS
from core.audit.chain import verify_chain
from core.meetings.service import ATTENDANCE_FIELD
from core.records.search import MAX_SEARCH_LENGTH, MAX_SEARCH_TERMS
from core.tenancy.context import tenant_context
from core.testing.environment import TenantSpec, TestEnvironment, build_environment
from core.testing.surface import (
    API,
    Operation,
    api_operations,
    html_forms,
    page_operations,
    served_operations,
)
from core.testing.web import Browser, sign_in
from core.web.app import create_app

SPECS = [
    TenantSpec("alpha", "MEX", "es", ("es", "en"), "America/Mexico_City", ("mexico",)),
    TenantSpec("beta", "AGO", "pt", ("pt", "en"), "Africa/Luanda", ("angola",)),
    TenantSpec("gamma", "JOR", "ar", ("ar", "en", "fr"), "Asia/Amman", ("demo_ar",)),
]
FORMS = ("organization", "contact", "meeting", "action", "topic")
RESOURCES = {form: form + "s" for form in FORMS}


def attendance_of(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    """A valid bulk attendance body for the meeting at ``url`` (``…/meetings/{id}/attendance``):
    the meeting's version as read now and its attendees' statuses as they are."""
    meeting = url.rsplit("/", 1)[0]
    version = client.get(meeting, headers=headers).json()["version"]
    attendees = client.get(f"{meeting}/attendees", headers=headers).json()
    rows = [{"contact": a["contact"], "status": a["status"]} for a in attendees]
    return {"version": version, "attendance": rows}


# Bodies of API operations that are not a record form: their fields as the services declare them
# (or, for a body made of a version and rows, just their names), and a valid body (or how to read
# one from the record the operation is aimed at).
OTHER_BODIES = {
    ("PUT", API + "/meetings/{record_id}/attendees/{contact_id}"): (
        (ATTENDANCE_FIELD,),
        {"status": "attended"},
    ),
    ("POST", API + "/actions/{record_id}/progress"): (
        PROGRESS_FIELDS,
        {"on_date": "2025-01-03", "note": "x"},
    ),
    # after the attendee added above, so the meeting has a row to set
    ("PUT", API + "/meetings/{record_id}/attendance"): (
        (SimpleNamespace(name="version"), SimpleNamespace(name="attendance")),
        attendance_of,
    ),
}
# Operations that end what the run needs (a session, a live record): sent after all the others.
LAST = re.compile(r"/(archive|erase|deactivate|revoke|logout)$")


# --- the world: three tenants with marked records ------------------------------------------------


@dataclass
class Tenant:
    slug: str
    marker: str
    forms: dict[str, list[dict[str, Any]]]
    ids: dict[str, int]
    topic_code: str
    default_locale: str

    def headers(self, env: TestEnvironment) -> dict[str, str]:
        return {**env.headers(self.slug, "coordinator"), "Content-Type": "application/json"}


@dataclass
class World:
    env: TestEnvironment
    client: Any
    tenants: dict[str, Tenant]
    surface: list[Operation]
    answers: int = 0  # generated requests checked so far (printed with -s: the deep run's figure)

    def others(self, slug: str) -> list[str]:
        return [t.marker for s, t in self.tenants.items() if s != slug]


def filler(field: dict[str, Any], tenant: Tenant) -> Any:
    """A valid value for a field of the tenant's form definition (references to its own records)."""
    kind, name = field["type"], field["name"]
    if field["choices"]:
        first = field["choices"][0]["value"]
        return [first] if field["multiple"] else first
    if kind in ("reference", "references"):
        record = tenant.ids.get(field["references"])
        if record is None:
            return None
        return record if kind == "reference" else [record]
    return {
        "text": f"{name} {tenant.marker}",
        "textarea": f"{name} {tenant.marker}",
        "email": "someone@example.org",
        "emails": ["someone@example.org"],
        "phones": ["+52 55 1234 5678"],
        "date": "2025-01-02",
        "datetime": "2025-01-02T11:00:00+00:00" if name == "ends_at" else "2025-01-02T10:00:00+00:00",
        "boolean": False,
        "integer": 1,
        "url": "https://example.org",
        "country": "MEX",
        "locale": tenant.default_locale,
        "topics": [tenant.topic_code],
    }.get(kind)


def valid_body(form: str, tenant: Tenant) -> dict[str, Any]:
    """The required fields of ``form`` and its references, filled with valid values."""
    body = {}
    for field in tenant.forms[form]:
        if field["required"] or field["type"] in ("reference", "references", "topics"):
            value = filler(field, tenant)
            if value is not None:
                body[field["name"]] = value
    if form == "topic":
        body["code"] = "G-" + secrets.token_hex(4).upper()
    if form == "action":
        body.pop("partners", None)  # partners must be non-governmental; the seeded organization is not
    return body


def seed(client: Any, env: TestEnvironment, spec: TenantSpec) -> Tenant:
    tenant = Tenant(spec.slug, f"Marker{secrets.token_hex(5)}", {}, {}, "TIP", spec.default_locale)
    h = tenant.headers(env)
    base = f"/t/{spec.slug}/api/v1"
    for form in FORMS:
        tenant.forms[form] = client.get(f"{base}/forms/{form}", headers=h).json()["fields"]
    for form in ("topic", "organization", "contact", "meeting", "action"):
        response = client.post(
            f"{base}/{RESOURCES[form]}", content=json.dumps(valid_body(form, tenant)), headers=h
        )
        assert response.status_code == 201, (spec.slug, form, response.text)
        tenant.ids[form] = response.json()["id"]
    meeting, contact = tenant.ids["meeting"], tenant.ids["contact"]
    body = json.dumps({"status": "invited"})
    assert client.put(f"{base}/meetings/{meeting}/attendees/{contact}", content=body, headers=h).is_success
    tenant.ids["import"] = client.blocking_portal.call(start_import, env, spec.slug)
    return tenant


async def start_import(env: TestEnvironment, slug: str) -> int:
    """An import batch of the tenant, its columns still to map (what the import pages act on)."""
    from core.accounts.roles import SYSTEM
    from core.imports.service import ImportService

    with tenant_context(env.registry.get(slug)):
        return await ImportService(SYSTEM).start(
            "contact", "seed.csv", b"First name,Last name\r\nAna,Seed\r\n"
        )


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with build_environment(backend, tmp_path_factory.mktemp(backend), SPECS) as env:
        app = create_app(env.registry.settings, env.registry)
        with TestClient(app) as client:
            tenants = {spec.slug: seed(client, env, spec) for spec in SPECS}
            api = api_operations(client)
            enabled = {plugin for spec in SPECS for plugin in spec.plugins}
            yield World(env, client, tenants, served_operations(api + page_operations(app, api), enabled))


# --- checks every answer must pass ------------------------------------------------------------------


def check_answer(world: World, slug: str, op: Operation, response: Any, sent: str) -> None:
    world.answers += 1
    where = f"{slug} {op} {sent[:300]!r}: {response.status_code}"
    assert response.status_code < 500, f"{where} {response.text[:500]}"
    leaked = [marker for marker in world.others(slug) if marker in response.text]
    assert not leaked, f"{where} shows another tenant's records"
    if op.api and response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), where
        problem = response.json()
        assert problem["status"] == response.status_code, where
        assert isinstance(problem["title"], str) and problem["title"], where
        assert problem["type"].startswith("https://"), where
        assert problem["instance"].startswith(f"/t/{slug}/"), where
        for field, messages in problem.get("errors", {}).items():
            assert isinstance(field, str) and messages, where
            assert all(isinstance(m, str) and m for m in messages), where


def chains_verify(world: World) -> dict[str, bool]:
    async def verify() -> dict[str, bool]:
        intact = {}
        for slug in world.tenants:
            with tenant_context(world.env.registry.get(slug)):
                intact[slug] = (await verify_chain()).intact
        return intact

    return world.client.blocking_portal.call(verify)


# --- sweeps: one case per field and shape, per list and parameter ------------------------------------

SHAPES: dict[str, Any] = {
    "array": ["x"],
    "nested array": [["x"]],
    "array of objects": [{"a": 1}],
    "empty object": {},
    "object": {"value": "x"},
}
LIST_SHAPES: dict[str, Any] = {
    "number": 7,
    "true": True,
    "object": {"value": "x"},
    "array of arrays": [["x"]],
    "array of objects": [{"a": 1}],
}


def test_a_value_of_the_wrong_shape_is_a_field_error_for_every_field_of_every_form(world):
    """Every field of every tenant's forms (core and plugin), every wrong shape, on create and update:
    400 with a message on that field, in the tenant's language (not the English source)."""
    cases = 0
    for slug, tenant in world.tenants.items():
        h = tenant.headers(world.env)
        base = f"/t/{slug}/api/v1"
        for form, fields in tenant.forms.items():
            for field in fields:
                shapes = LIST_SHAPES if field["multiple"] else SHAPES
                for shape, value in shapes.items():
                    for method, url, extra in (
                        ("POST", f"{base}/{RESOURCES[form]}", {}),
                        ("PATCH", f"{base}/{RESOURCES[form]}/{tenant.ids[form]}", {"version": 1}),
                    ):
                        body = json.dumps({**extra, field["name"]: value})
                        response = world.client.request(method, url, content=body, headers=h)
                        where = f"{slug} {method} {form}.{field['name']} = {shape}"
                        assert response.status_code == 400, f"{where}: {response.status_code} {response.text}"
                        messages = response.json()["errors"].get(field["name"])
                        assert messages, f"{where}: {response.text}"
                        cases += 1
        # The messages are the tenant's: one of them in the default language differs from English.
        response = world.client.post(f"{base}/contacts", content=json.dumps({"roles": [["x"]]}), headers=h)
        localized = response.json()["errors"]["roles"][0]
        en = world.client.post(
            f"{base}/contacts", content=json.dumps({"roles": [["x"]]}), headers={**h, "Accept-Language": "en"}
        ).json()
        assert localized != en["errors"]["roles"][0] or tenant.default_locale == "en", slug
    assert cases > 500


def test_bodies_that_are_not_record_forms_refuse_wrong_shapes_too(world):
    tenant = world.tenants["alpha"]
    h = tenant.headers(world.env)
    for (method, template), (fields, body) in OTHER_BODIES.items():
        url = resolve(Operation(method, template), tenant, world)
        valid = body(world.client, url, h) if callable(body) else body
        assert world.client.request(method, url, content=json.dumps(valid), headers=h).is_success, url
        for field in fields:
            for shape, value in SHAPES.items():
                body = json.dumps({**valid, field.name: value})
                response = world.client.request(method, url, content=body, headers=h)
                assert response.status_code == 400, (template, field.name, shape, response.text)
                assert field.name in response.json()["errors"], (template, field.name, shape)


def list_operations(world: World) -> list[Operation]:
    return [op for op in world.surface if op.method == "GET" and op.query and not op.params]


def page_url(op: Operation, slug: str) -> str:
    return op.path.replace("{tenant_slug}", slug)


def test_every_query_parameter_given_twice_is_a_400_naming_it(world):
    tenant = world.tenants["alpha"]
    browser = sign_in(world.client, world.env, "alpha", "coordinator")
    checked = 0
    for op in list_operations(world):
        for name in op.query:
            url = f"{page_url(op, 'alpha')}?{name}=1&{name}=2"
            if op.api:
                response = world.client.get(url, headers=tenant.headers(world.env))
                assert response.status_code == 400, (url, response.text)
                assert name in response.json()["errors"], url
            else:
                response = browser.get(url)
                assert response.status_code == 400, (url, response.status_code)
            checked += 1
    assert checked > 40


SEARCHES_REFUSED = {
    "too many words": " ".join(f"w{i}" for i in range(MAX_SEARCH_TERMS + 1)),
    "too long": "a" * (MAX_SEARCH_LENGTH + 1),
}
# Beyond what any address of the app holds: refused before routing (414), with a problem document.
ADDRESSES_REFUSED = {"thousands of words": "a " * 5000, "one huge word": "x" * 60000}


def test_search_is_bounded_on_every_list_of_the_api_and_the_pages(world):
    """Within the bounds a search answers; beyond them a 400 names ``q``, in the tenant's language,
    instead of a database error (SQLite's LIKE limit) or a recursion error (thousands of terms);
    a search longer than any address the app serves is refused as such."""
    browser = sign_in(world.client, world.env, "alpha", "coordinator", locale="es")
    h = world.tenants["alpha"].headers(world.env)
    within = " ".join(["a"] * MAX_SEARCH_TERMS)
    too_long = "The address of this request is too long."
    too_long_es = world.env.registry.get("alpha").translator("es").gettext(too_long)
    assert too_long_es != too_long
    searched = 0
    for op in list_operations(world):
        if "q" not in op.query:
            continue
        url = page_url(op, "alpha")

        def get(params: dict[str, str], url: str = url, api: bool = op.api) -> Any:
            return world.client.get(url, params=params, headers=h) if api else browser.get(url, params=params)

        assert get({"q": within}).status_code == 200, url
        for case, q in SEARCHES_REFUSED.items():
            response = get({"q": q})
            assert response.status_code == 400, (url, case, response.status_code)
            if op.api:
                bound = MAX_SEARCH_TERMS if case == "too many words" else MAX_SEARCH_LENGTH
                assert str(bound) in response.json()["errors"]["q"][0], (url, case)
            else:
                assert 'id="q-error"' in response.text, (url, case)
        for case, q in ADDRESSES_REFUSED.items():
            response = get({"q": q})
            assert response.status_code == 414, (url, case, response.status_code)
            assert response.json()["title"] == too_long_es, (url, case)
        searched += 1
    assert searched >= 10  # five lists, API and pages


def test_page_sizes_and_searches_do_not_multiply_compiled_queries(world):
    """A client choosing every page size and every number of terms costs one compiled query per
    shape (terms 0-8, cursor or not), plus the whole list's count: the cache cannot be grown by
    varying values."""
    from core.records import service as records

    h = world.tenants["alpha"].headers(world.env)
    records._PAGE_QUERIES.clear()
    for limit in range(1, records.MAX_LIMIT + 1, 7):
        for terms in range(MAX_SEARCH_TERMS + 1):
            q = " ".join(["a"] * terms)
            response = world.client.get(
                "/t/alpha/api/v1/contacts", params={"limit": limit, "q": q}, headers=h
            )
            assert response.status_code == 200
    counts = [key for key in records._PAGE_QUERIES if key[0] == "count"]
    assert len(counts) == 1
    assert len(records._PAGE_QUERIES) - len(counts) == MAX_SEARCH_TERMS + 1


# --- property-based runs -----------------------------------------------------------------------------

CONTROL = st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=6)
SURROGATES = st.sampled_from(["\ud800", "a\udfffb", "\udc80" * 3])
FORMAT_AND_MARKS = st.text(
    st.characters(categories=["Cf", "Mn", "Zl", "Zp", "So", "Co"]), min_size=1, max_size=12
)
LONG = st.builds(
    lambda c, n: c * n,
    st.sampled_from(["a", "é", "字", "😀", "%", "_", "\\", "'", "\x00"]),
    st.integers(256, 100_000),
)
MANY_WORDS = st.builds(
    lambda w, n: " ".join([w] * n),
    st.sampled_from(["a", "hernández", "%", "-1", "'--"]),
    st.integers(2, 4000),
)
TRICKS = st.sampled_from(
    [
        "",
        " ",
        "null",
        "[]",
        "{}",
        "%00",
        "0",
        "-1",
        "1e999",
        "2147483648",
        "../../etc/passwd",
        "<script>x</script>",
        "' OR 1=1 --",
        "{0}",
        "{name}",
        "%(x)s",
        "\u202eevil",
        "TIP",
        "2025-02-30",
        "2025-01-02T10:00:00",
    ]
)
ODD_TEXT = st.one_of(st.text(max_size=40), CONTROL, SURROGATES, FORMAT_AND_MARKS, LONG, MANY_WORDS, TRICKS)
QUERY_TEXT = st.one_of(
    st.text(max_size=40), CONTROL, SURROGATES, FORMAT_AND_MARKS, MANY_WORDS.map(lambda s: s[:2000]), TRICKS
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    ODD_TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
RAW_BODIES = st.one_of(
    st.integers(30, 3000).map(lambda n: ("[" * n + "]" * n).encode()),
    st.binary(max_size=64),
    st.sampled_from([b"", b"{", b'{"a":', b"\xff\xfe{}", b"null", b"[1,2]", b'"text"']),
)


def encode_query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(
        f"{quote(k, safe='', errors='surrogatepass')}={quote(v, safe='', errors='surrogatepass')}"
        for k, v in pairs
    )


def query_strategy(op: Operation) -> st.SearchStrategy[list[tuple[str, str]]]:
    names = st.sampled_from([*op.query, "zz", "q"])
    return st.lists(st.tuples(names, QUERY_TEXT), max_size=4)


def json_body_strategy(baseline: dict[str, Any], names: list[str]) -> st.SearchStrategy[bytes]:
    changes = st.dictionaries(st.sampled_from([*names, "version", "zz_unknown"]), JSON_VALUES, max_size=4)
    objects = changes.map(lambda c: json.dumps({**baseline, **c}).encode())
    return st.one_of(objects, objects, objects, JSON_VALUES.map(lambda v: json.dumps(v).encode()), RAW_BODIES)


def form_pairs_strategy(
    baseline: list[tuple[str, str]], names: list[str]
) -> st.SearchStrategy[list[tuple[str, str]]]:
    changes = st.lists(st.tuples(st.sampled_from([*names, "zz_unknown"]), ODD_TEXT), max_size=5)
    return changes.map(lambda c: [pair for pair in baseline if pair[0] not in {k for k, _ in c}] + c)


def resolve(op: Operation, tenant: Tenant, world: World) -> str:
    """The operation's URL in the tenant, path parameters filled with the tenant's own records."""
    url = op.path.replace("{tenant_slug}", tenant.slug)
    form = op.resource.removesuffix("s")
    values = {
        "record_id": tenant.ids.get(form, tenant.ids["organization"]),
        "contact_id": tenant.ids["contact"],
        # The other record of a pair to merge: the same one, so generated forms never archive it.
        "other_id": tenant.ids.get(form, tenant.ids["organization"]),
        "member_id": world.env.users[(tenant.slug, "observer")]["id"],
        "batch_id": tenant.ids["import"],
        "form": "contact",
        "token": secrets.token_urlsafe(32),
        "feed_token": "pcal_" + secrets.token_urlsafe(32),  # an unknown calendar feed
        # An activity's public call for applications (none here unless a tenant enables engagement).
        "activity_id": tenant.ids.get("activity", tenant.ids["organization"]),
        # The engagement plugin's delivery (where a tenant enables it): ids it has none of, so a
        # generated form is answered as for a record that does not exist.
        "session_id": tenant.ids.get("engagement_session", 2**31 - 1),
        "participant_id": tenant.ids.get("engagement_participant", 2**31 - 1),
        "group_id": tenant.ids.get("engagement_group", 2**31 - 1),
        "question_id": tenant.ids.get("engagement_question", 2**31 - 1),
        # An engagement certificate the tenant may not have, and a well-formed unknown code.
        "certificate_id": 1,
        "code": "0000-0000-0000-0000",
    }
    for name in op.params:
        url = url.replace("{" + name + "}", str(values[name]))
    return url


def api_body(op: Operation, tenant: Tenant, world: World, url: str) -> tuple[dict[str, Any], list[str]]:
    """The valid baseline and the field names of an API operation's body (aimed at ``url``)."""
    if (op.method, op.path) in OTHER_BODIES:
        fields, body = OTHER_BODIES[(op.method, op.path)]
        valid = body(world.client, url, tenant.headers(world.env)) if callable(body) else body
        return valid, [f.name for f in fields]
    if is_record_form(op):
        form = op.resource.removesuffix("s")
        baseline = valid_body(form, tenant) if op.method == "POST" else {"version": 1}
        return baseline, [f["name"] for f in tenant.forms[form]]
    assert not op.body, f"{op}: a body the suite cannot describe (add its fields to OTHER_BODIES)"
    return {}, []


def page_form(browser: Browser, url: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The form a page serves for posting to ``url`` (looked for on that page, then on the pages
    above it): its values as served, and its field names."""
    candidates = [url, url.rsplit("/", 1)[0], url.rsplit("/", 2)[0]]
    for candidate in candidates:
        response = browser.get(candidate)
        if response.status_code != 200:
            continue
        for form in html_forms(response.text):
            if form.method == "post" and form.action == url:
                fields = [(k, v) for k, v in form.fields if k != "_csrf_token"]
                return fields, [k for k in form.names if k != "_csrf_token"]
    return [], []


def is_record_form(op: Operation) -> bool:
    if op.api:
        return op.resource in RESOURCES.values() and (
            (op.method == "POST" and op.path.endswith(op.resource)) or op.method == "PATCH"
        )
    return op.method == "POST" and op.resource in RESOURCES.values() and op.path.endswith(("/new", "/edit"))


def run_operation(world: World, tenant: Tenant, op: Operation, browser: Browser) -> None:
    url = resolve(op, tenant, world)
    examples = settings()  # the loaded profile's: bounded in the test command, deep for releases
    if op.api:
        baseline, names = api_body(op, tenant, world, url)
        bodies = json_body_strategy(baseline, names) if op.body else st.just(b"")
        h = tenant.headers(world.env)

        @examples
        @given(query=query_strategy(op), body=bodies)
        def send(query: list[tuple[str, str]], body: bytes) -> None:
            target = f"{url}?{encode_query(query)}" if query else url
            response = world.client.request(op.method, target, content=body or None, headers=h)
            check_answer(world, tenant.slug, op, response, f"{target} {body[:200]!r}")

    elif op.method == "POST":
        baseline_pairs, names = page_form(browser, url)

        @examples
        @given(pairs=form_pairs_strategy(baseline_pairs, names))
        def send(pairs: list[tuple[str, str]]) -> None:
            response = browser.post(url, pairs, follow_redirects=False)
            check_answer(world, tenant.slug, op, response, f"{url} {pairs!r}")

    else:

        @examples
        @given(query=query_strategy(op))
        def send(query: list[tuple[str, str]]) -> None:
            target = f"{url}?{encode_query(query)}" if query else url
            response = browser.get(target, follow_redirects=False)
            check_answer(world, tenant.slug, op, response, target)

    send()


@pytest.mark.parametrize("slug", [spec.slug for spec in SPECS])
def test_generated_input_never_breaks_the_app_leaks_or_breaks_the_audit_chain(world, slug):
    """Every operation in ``alpha`` (core's surface and its plugin's), the record forms in the other
    tenants (their plugins' fields): generated bodies and queries, a coordinator's credentials."""
    tenant = world.tenants[slug]
    browser = sign_in(world.client, world.env, slug, "coordinator")
    operations = [op for op in world.surface if slug == "alpha" or is_record_form(op)]
    operations.sort(key=lambda op: bool(LAST.search(op.path)))
    before = world.answers
    for op in operations:
        run_operation(world, tenant, op, browser)
    print(f"{slug}: {len(operations)} operations, {world.answers - before} generated requests")
    assert len(operations) > (60 if slug == "alpha" else 10)
    assert all(chains_verify(world).values())
