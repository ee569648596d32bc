"""The certificates' pages: an activity's certificates (coordinators: completion of each
participant, issuing, revocation), a certificate's PDF (coordinators), and the public verification
pages (no sign-in: a form to type a code, and what a code certifies)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Response
from litestar.datastructures import UploadFile
from litestar.params import PathParameter

from core.plugin_api import (
    N_,
    PUBLIC,
    CurrentActor,
    Message,
    PathId,
    Redirect,
    Request,
    Template,
    ValidationFailed,
    get,
    link_base_url,
    page_parts,
    post,
    redirect,
    render,
    require_coordinator,
)
from plugins.engagement.certificates import codes, importing
from plugins.engagement.certificates.pdf import render_certificate, verification_address
from plugins.engagement.certificates.service import CertificateService, verify
from plugins.engagement.tables import Activity

# A code as typed in the address (grouped, lower case…); longer ones are not codes.
TypedCode = Annotated[str, PathParameter(max_length=64)]
NOINDEX = {"X-Robots-Tag": "noindex, nofollow"}


async def certificates_page(
    request: Request,
    actor: Any,
    activity_id: int,
    status: int = 200,
    errors: dict[int, list[str]] | None = None,
) -> Template:
    _, t, _ = page_parts(request)
    activity, found, by_participant = await CertificateService(actor).of_activity(activity_id)
    rows = [
        {
            "standing": s,
            "reasons": [t.message(m) for m in s.reasons],
            "certificates": by_participant.get(s.participant, []),
        }
        for s in found
    ]
    to_issue = sum(
        1 for s in found if s.complete and not any(c["valid"] for c in by_participant.get(s.participant, []))
    )
    return render(
        request,
        "engagement/certificates/activity.html",
        status=status,
        activity=activity,
        rows=rows,
        to_issue=to_issue,
        errors=errors or {},
        needed=activity.get("completion_attendance"),
    )


@get("/activities/{record_id:int}/certificates", guards=[require_coordinator])
async def activity_certificates(request: Request, actor: CurrentActor, record_id: PathId) -> Template:
    """Each participant's completion (and why not), their certificates, and the issuing button."""
    return await certificates_page(request, actor, record_id)


@post("/activities/{record_id:int}/certificates/issue", guards=[require_coordinator])
async def issue_certificates(request: Request, actor: CurrentActor, record_id: PathId) -> Redirect:
    issued = await CertificateService(actor).issue(record_id)
    return redirect(
        request,
        f"/engagement/activities/{record_id}/certificates",
        flash=("success", N_("Certificates issued: {count}.")),
        count=len(issued),
    )


@post("/certificates/{certificate_id:int}/revoke", guards=[require_coordinator])
async def revoke_certificate(
    request: Request, actor: CurrentActor, certificate_id: PathId
) -> Template | Redirect:
    """Revoke with the reason typed; a missing reason comes back on the activity's page."""
    _, t, _ = page_parts(request)
    service = CertificateService(actor)
    certificate = await service.get(certificate_id)
    form = await request.form()
    try:
        await service.revoke(certificate_id, form.get("reason", ""))
    except ValidationFailed as exc:
        if certificate["activity"] is None:
            raise
        messages = [t.message(m) for ms in exc.errors.values() for m in ms]
        return await certificates_page(
            request, actor, certificate["activity"], 400, {certificate_id: messages}
        )
    back = (
        f"/engagement/activities/{certificate['activity']}/certificates"
        if certificate["activity"] is not None
        else f"/contacts/{certificate['contact']}"
    )
    return redirect(request, back, flash=("success", N_("Certificate revoked.")))


def verification_base(request: Request) -> str:
    """Where the QR code points: the trusted public address, else the one this request came to."""
    return link_base_url(request) or str(request.base_url).rstrip("/")


@get("/certificates/{certificate_id:int}/certificate.pdf", guards=[require_coordinator])
async def certificate_pdf(request: Request, actor: CurrentActor, certificate_id: PathId) -> Response[bytes]:
    """The certificate as a PDF in its own language (the tenant's default if it no longer speaks it)."""
    tenant, _, _ = page_parts(request)
    certificate = await CertificateService(actor).get(certificate_id)
    address = verification_address(verification_base(request), tenant.slug, certificate["code"])
    t = tenant.translator(certificate["language"])
    content = render_certificate(certificate, t, tenant.declaration.name_in(t.locale), address)
    filename = f"certificate-{codes.grouped(certificate['code'])}.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@get("/certificates/verify", opt=PUBLIC)
async def verify_form(request: Request) -> Template | Redirect:
    """A form to type a code (GET: no session or CSRF needed); a typed code goes to its page."""
    typed = request.query_params.get("code", "").strip()
    code = codes.normalize(typed) if typed else None
    if code:
        return redirect(request, f"/engagement/certificates/verify/{quote(codes.grouped(code), safe='')}")
    # Nothing typed: the form. Something that is no code at all: no certificate has it, said at
    # once (and shown back whole, never cut).
    return verify_page(request, None, typed, unknown=bool(typed))


@get("/certificates/verify/{code:str}", opt=PUBLIC)
async def verify_code(request: Request, code: TypedCode) -> Template:
    """Valid or revoked (with the date), the holder's name, the activity and the completion date:
    nothing more. An unknown code is a 404 page, after the same lookup."""
    result = await verify(code)
    return verify_page(request, result, code, unknown=result is None)


def verify_page(request: Request, result: Any, code: str, unknown: bool) -> Template:
    """The public verification page, kept out of search engines: a 404 when the code is unknown."""
    response = render(
        request,
        "engagement/certificates/verify.html",
        status=404 if unknown else 200,
        result=result,
        code=code,
        unknown=unknown,
    )
    response.headers.update(NOINDEX)
    return response


ROUTES = [
    activity_certificates,
    issue_certificates,
    revoke_certificate,
    certificate_pdf,
    verify_form,
    verify_code,
]


# --- importing completions from an e-learning platform ---------------------------------------------

MAX_IMPORT_BYTES = 5 * 2**20


async def cohort_choices() -> list[dict[str, Any]]:
    """The activities completions may be imported into: course cohorts first, then the others."""
    rows = await Activity.select(Activity.id, Activity.title, Activity.kind).where(
        Activity.archived_at.is_null()
    )
    return sorted(rows, key=lambda r: (r["kind"] != "course_cohort", r["title"].casefold()))


async def import_page(
    request: Request,
    status: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[Message]] | None = None,
    lines: list[importing.Line] | None = None,
) -> Template:
    _, t, _ = page_parts(request)
    payload = json.dumps([{"number": line.number, "values": line.values} for line in lines or []])
    return render(
        request,
        "engagement/certificates/import.html",
        status=status,
        activities=await cohort_choices(),
        values=values or {},
        errors={name: [t.message(m) for m in ms] for name, ms in (errors or {}).items()},
        lines=lines,
        importable=sum(1 for line in lines or [] if line.importable),
        payload=payload,
        max_lines=importing.MAX_LINES,
    )


@get("/certificates/import", guards=[require_coordinator])
async def import_form(request: Request) -> Template:
    """The upload form: the course cohort, the platform, and the file."""
    return await import_page(request)


MAX_PLATFORM = 120


def check_platform(platform: str) -> None:
    """The platform's name is stored with each certificate: refused beyond its limit, never cut."""
    if len(platform) > MAX_PLATFORM:
        message = Message(N_("Enter at most {max} characters."), {"max": MAX_PLATFORM})
        raise ValidationFailed({"platform": [message]})


@post("/certificates/import", guards=[require_coordinator], request_max_body_size=MAX_IMPORT_BYTES + 2**16)
async def import_dry_run(request: Request) -> Template:
    """The dry run: every line checked, matched and marked new or already imported; nothing written."""
    _, t, _ = page_parts(request)
    tenant = page_parts(request)[0]
    form = await request.form()
    values = {
        "activity": str(form.get("activity", "")),
        "platform": str(form.get("platform", "")).strip(),
    }
    upload = form.get("file")
    try:
        check_platform(values["platform"])
        activity = await importing.cohort(values["activity"])
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed({"file": [Message(N_("Choose a CSV or XLSX file."))]})
        with tempfile.NamedTemporaryFile(suffix=Path(upload.filename).suffix[:8]) as copy:
            copy.write(await upload.read())
            copy.flush()
            translators = [tenant.translator(locale) for locale in tenant.declaration.locales]
            lines = importing.read_lines(Path(copy.name), upload.filename, translators)
        await importing.plan(lines, activity, values["platform"], t)
    except ValidationFailed as exc:
        return await import_page(request, 400, values, exc.errors)
    return await import_page(request, 200, values, lines=lines)


@post("/certificates/import/commit", guards=[require_coordinator])
async def import_commit(request: Request, actor: CurrentActor) -> Template | Redirect:
    """Write the checked lines (sent back from the dry run's page and checked again)."""
    _, t, _ = page_parts(request)
    form = await request.form()
    values = {
        "activity": str(form.get("activity", "")),
        "platform": str(form.get("platform", "")).strip(),
    }
    try:
        check_platform(values["platform"])
        activity = await importing.cohort(values["activity"])
        lines = lines_of(str(form.get("payload", "")))
        written = await importing.commit(actor, lines, activity, values["platform"], t)
    except ValidationFailed as exc:
        return await import_page(request, 400, values, exc.errors)
    return redirect(
        request,
        f"/engagement/activities/{activity['id']}/certificates",
        flash=("success", N_("Certificates imported: {count}.")),
        count=written,
    )


def lines_of(payload: str) -> list[importing.Line]:
    """The dry run's lines as its page sent them back (no file is kept between the two steps)."""
    refused = ValidationFailed(
        {"file": [Message(N_("Upload the file again: its lines did not come back whole."))]}
    )
    try:
        items = json.loads(payload)
    except ValueError:
        raise refused from None
    if not isinstance(items, list) or not items or len(items) > importing.MAX_LINES:
        raise refused
    lines = []
    for item in items:
        values = item.get("values") if isinstance(item, dict) else None
        number = item.get("number") if isinstance(item, dict) else None
        if not isinstance(number, int) or not isinstance(values, dict):
            raise refused
        text = {name: str(values.get(name, ""))[:400] for name in importing.NAMES}
        lines.append(importing.Line(number, text))
    return lines


ROUTES += [import_form, import_dry_run, import_commit]
