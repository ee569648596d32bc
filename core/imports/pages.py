"""Import pages (coordinators): upload a file, map its columns, read the dry run line by line,
download the rejected lines, commit, and undo a committed batch. Long phases run in the background
(``core.imports.jobs``); the batch page shows a progress bar that HTMX refreshes every second (and
that a browser without JavaScript reloads by itself)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Stream, Template

from core.duplicates.rules import RULE_LABELS
from core.errors import Conflict, DomainError, Message, ValidationFailed
from core.i18n.markers import N_, NP_
from core.i18n.translator import Translator
from core.imports import jobs, mapping
from core.imports.attendance import ENTITY as ATTENDANCE
from core.imports.reading import MAX_FILE_BYTES
from core.imports.rejected import reasons, rejected_file, stored_message
from core.imports.service import ENTITY_LABELS, ImportService
from core.records.export import attachment
from core.records.service import now
from core.records.writers import MEDIA_TYPES
from core.web.pages.guards import require_coordinator
from core.web.pages.render import page_parts, redirect, render
from core.web.params import CurrentActor, PathId

LINES_PER_PAGE = 100
# What the dry run says of a line (nouns, not the verbs of the buttons).
ACTION_LABELS = {
    "create": N_("New record"),
    "update": N_("Update of a record"),
    "skip": N_("Skipped"),
    "error": N_("Rejected"),
}
STATUS_LABELS = {
    "mapping": N_("Columns to map"),
    "reading": N_("Dry run under way"),
    "planned": N_("Dry run done"),
    "committing": N_("Import under way"),
    "committed": NP_("import status", "Imported"),
    "undone": N_("Undone"),
    "failed": N_("Failed"),
    "discarded": N_("Discarded"),
}
DECISION_LABELS = {
    "skip": N_("Skip them: keep the records as they are"),
    "update": N_("Update the records with the file's values"),
    "create": N_("Create new records anyway"),
}


def _label(t: Translator, labels: dict[str, str], key: str) -> str:
    msgid = labels.get(key, key)
    return t.gettext(msgid)


def _progress(tenant: Any, batch: dict[str, Any]) -> dict[str, Any]:
    """Done, total, percent, rows per second and seconds left of the batch's running phase."""
    running = jobs.running(tenant, batch["id"])
    done, total = (running.done, running.total) if running else (batch["done"], batch["total"])
    if running is not None:
        rate, left = running.rate, running.seconds_left
    else:
        started = batch["phase_started_at"]
        elapsed = (now() - started).total_seconds() if started else 0
        rate = done / elapsed if elapsed > 0 and done else 0.0
        left = max(total - done, 0) / rate if rate else None
    percent = min(100, round(100 * done / total)) if total else 0
    return {"done": done, "total": total, "percent": percent, "rate": round(rate), "left": left}


async def _batch_page(
    request: Request,
    actor: Any,
    batch_id: int,
    status: int = 200,
    errors: dict[str, list[Message]] | None = None,
) -> Template:
    tenant, t, _ = page_parts(request)
    service = ImportService(actor, t.locale)
    batch = await service.get(batch_id)
    form = service.form(batch["entity"])
    show = request.query_params.get("show", "")
    page = request.query_params.get("page", "1")
    page_number = int(page) if page.isdigit() and len(page) < 7 else 1
    lines = []
    if batch["status"] in ("planned", "committed", "committing"):
        rows = await service.lines(batch_id, show, (page_number - 1) * LINES_PER_PAGE, LINES_PER_PAGE + 1)
        action_labels = {key: t.gettext(label) for key, label in ACTION_LABELS.items()}
        lines = [
            {
                "line": r["line"],
                "action": r["action"],
                "action_label": action_labels[r["action"]],
                "match_id": r["match_id"],
                "match_line": r["match_line"],
                "match_label": r["match_label"],
                "rules": [_label(t, RULE_LABELS, rule) for rule in r["rules"]],
                "reasons": reasons(t, r["errors"]),
                "summary": _summary(r, form),
            }
            for r in rows
        ]
    fields = [(mapping.ID_FIELD, t.gettext(mapping.ID_LABEL))] + [
        (f.name, t.gettext(f.label) + ("" if f.source == "core" else f" ({f.source})")) for f in form.fields
    ]
    required = [t.gettext(f.label) for f in form.fields if f.required]
    return render(
        request,
        "imports/batch.html",
        status=status,
        batch=batch,
        entity_label=_label(t, ENTITY_LABELS, batch["entity"]),
        status_label=_label(t, STATUS_LABELS, batch["status"]),
        failure=stored_message(t, batch["failure"]),
        fields=fields,
        required=required,
        decisions=[(key, t.gettext(label)) for key, label in DECISION_LABELS.items()],
        action_labels={key: t.gettext(label) for key, label in ACTION_LABELS.items()},
        show=show,
        page_number=page_number,
        lines=lines[:LINES_PER_PAGE],
        more=len(lines) > LINES_PER_PAGE,
        progress=_progress(tenant, batch),
        errors={key: [t.message(m) for m in messages] for key, messages in (errors or {}).items()},
        path_entity="/contacts" if batch["entity"] == "contact" else "/organizations",
    )


def _summary(row: dict[str, Any], form: Any) -> str:
    """A line's main values (what a person recognizes it by)."""
    values = row["values"]
    keys = ("first_name", "last_name", "name", "acronym", "emails")
    parts = [values.get(k) for k in keys if values.get(k)]
    if not parts and row["cells"]:
        parts = [c for c in row["cells"][:3] if c]
    return " · ".join(", ".join(p) if isinstance(p, list) else str(p) for p in parts)[:200]


async def _list_page(
    request: Request, actor: Any, status: int = 200, errors: dict | None = None, meeting_id: str = ""
) -> Template:
    """The upload form and the recent batches; ``?meeting=ID`` makes it an attendance list's upload."""
    from core.meetings.service import MeetingService

    _, t, _ = page_parts(request)
    service = ImportService(actor, t.locale)
    batches = await service.batches()
    meeting_id = meeting_id or request.query_params.get("meeting", "")
    meeting = None
    if meeting_id.isdigit() and len(meeting_id) < 10:
        try:
            meeting = await MeetingService(actor, t.locale).get(int(meeting_id))
        except DomainError:
            meeting = None
    saved = {entity: await mapping.saved_mappings(entity) for entity in ENTITY_LABELS}

    return render(
        request,
        "imports/list.html",
        status=status,
        batches=batches,
        entities=[(key, t.gettext(label)) for key, label in ENTITY_LABELS.items() if key != ATTENDANCE],
        meeting=meeting,
        entity_labels={key: t.gettext(label) for key, label in ENTITY_LABELS.items()},
        status_labels={key: t.gettext(label) for key, label in STATUS_LABELS.items()},
        saved=saved,
        max_mb=MAX_FILE_BYTES // 2**20,
        errors={key: [t.message(m) for m in messages] for key, messages in (errors or {}).items()},
    )


@get("/imports", name="imports", guards=[require_coordinator], include_in_schema=False)
async def imports_page(request: Request, actor: CurrentActor) -> Template:
    return await _list_page(request, actor)


@post(
    "/imports",
    guards=[require_coordinator],
    include_in_schema=False,
    request_max_body_size=MAX_FILE_BYTES + 2**20,
)
async def start_import(request: Request, actor: CurrentActor) -> Template | Redirect:
    _, t, _ = page_parts(request)
    form = await request.form()
    upload = form.get("file")
    entity = str(form.get("entity", ""))
    saved = str(form.get("saved_mapping", ""))
    meeting = str(form.get("meeting", ""))
    meeting_id = int(meeting) if meeting.isdigit() and len(meeting) < 10 else None
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    filename = upload.filename if isinstance(upload, UploadFile) else ""
    try:
        batch_id = await ImportService(actor, t.locale).start(
            entity, filename or "", content, saved, meeting_id
        )
    except ValidationFailed as exc:
        return await _list_page(request, actor, 400, exc.errors, meeting)
    return redirect(request, f"/imports/{batch_id}")


@get("/imports/{batch_id:int}", guards=[require_coordinator], include_in_schema=False)
async def batch_page(request: Request, actor: CurrentActor, batch_id: PathId) -> Template:
    return await _batch_page(request, actor, batch_id)


@get("/imports/{batch_id:int}/progress", guards=[require_coordinator], include_in_schema=False)
async def batch_progress(request: Request, actor: CurrentActor, batch_id: PathId) -> Template:
    tenant, t, _ = page_parts(request)
    batch = await ImportService(actor, t.locale).get(batch_id)
    finished = batch["status"] not in ("reading", "committing")
    response = render(
        request,
        "imports/progress.html",
        batch=batch,
        progress=_progress(tenant, batch),
        finished=finished,
        status_label=_label(t, STATUS_LABELS, batch["status"]),
    )
    if finished:
        response.headers["HX-Refresh"] = "true"
    return response


@post("/imports/{batch_id:int}/plan", guards=[require_coordinator], include_in_schema=False)
async def plan_import(request: Request, actor: CurrentActor, batch_id: PathId) -> Template | Redirect:
    tenant, t, _ = page_parts(request)
    service = ImportService(actor, t.locale)
    form = await request.form()
    chosen = {}
    for key, value in form.items():
        index = key.removeprefix("column_")
        if key.startswith("column_") and index.isdigit() and len(index) < 5 and str(value):
            chosen[int(index)] = str(value)
    try:
        await service.configure(
            batch_id, chosen, str(form.get("on_duplicate", "skip")), str(form.get("save_as", ""))
        )
    except ValidationFailed as exc:
        return await _batch_page(request, actor, batch_id, 400, exc.errors)
    except Conflict as exc:
        return await _batch_page(request, actor, batch_id, 409, {"": [exc.message]})
    jobs.launch(tenant, batch_id, lambda progress: service.plan(batch_id, progress), on_failure="mapping")
    return redirect(request, f"/imports/{batch_id}")


@post("/imports/{batch_id:int}/remap", guards=[require_coordinator], include_in_schema=False)
async def remap_import(request: Request, actor: CurrentActor, batch_id: PathId) -> Redirect:
    """Back from the dry run to the mapping (to change a column or the choice for matches)."""
    _, t, _ = page_parts(request)
    from core.imports.tables import ImportBatch

    batch = await ImportService(actor, t.locale).get(batch_id)
    if batch["status"] not in ("planned", "mapping"):
        raise Conflict(N_("This import can no longer be changed."))
    await ImportBatch.update({ImportBatch.status: "mapping"}).where(ImportBatch.id == batch_id).run()
    return redirect(request, f"/imports/{batch_id}")


@post("/imports/{batch_id:int}/commit", guards=[require_coordinator], include_in_schema=False)
async def commit_import(request: Request, actor: CurrentActor, batch_id: PathId) -> Template | Redirect:
    tenant, t, _ = page_parts(request)
    service = ImportService(actor, t.locale)
    try:
        await service.begin_commit(batch_id)
    except Conflict as exc:
        return await _batch_page(request, actor, batch_id, 409, {"": [exc.message]})
    jobs.launch(tenant, batch_id, lambda progress: service.commit(batch_id, progress), on_failure="planned")
    return redirect(request, f"/imports/{batch_id}")


@post("/imports/{batch_id:int}/undo", guards=[require_coordinator], include_in_schema=False)
async def undo_import(request: Request, actor: CurrentActor, batch_id: PathId) -> Template | Redirect:
    _, t, _ = page_parts(request)
    try:
        result = await ImportService(actor, t.locale).undo(batch_id)
    except DomainError as exc:
        return await _batch_page(request, actor, batch_id, exc.status, {"": [exc.message]})
    return redirect(
        request,
        f"/imports/{batch_id}",
        flash=("success", N_("Import undone: {deleted} records deleted, {restored} restored.")),
        deleted=result["deleted"],
        restored=result["restored"],
    )


@post("/imports/{batch_id:int}/discard", guards=[require_coordinator], include_in_schema=False)
async def discard_import(request: Request, actor: CurrentActor, batch_id: PathId) -> Template | Redirect:
    _, t, _ = page_parts(request)
    try:
        await ImportService(actor, t.locale).discard(batch_id)
    except Conflict as exc:
        return await _batch_page(request, actor, batch_id, 409, {"": [exc.message]})
    return redirect(request, "/imports", flash=("success", N_("Import discarded.")))


async def _rejected(request: Request, actor: Any, batch_id: int, fmt: str) -> Stream:
    """The rejected lines as the file had them, plus the line number and the reasons, in the
    reader's language: fix them there and import that file."""
    _, t, _ = page_parts(request)
    service = ImportService(actor, t.locale)
    batch = await service.get(batch_id)
    name = f"rejected-{batch['entity']}s-{batch_id}.{fmt}"
    body = rejected_file(service, batch_id, batch["headers"], t, fmt)
    return Stream(body, media_type=MEDIA_TYPES[fmt], headers=attachment(name))


@get("/imports/{batch_id:int}/rejected.csv", guards=[require_coordinator], include_in_schema=False)
async def rejected_csv(request: Request, actor: CurrentActor, batch_id: PathId) -> Stream:
    return await _rejected(request, actor, batch_id, "csv")


@get("/imports/{batch_id:int}/rejected.xlsx", guards=[require_coordinator], include_in_schema=False)
async def rejected_xlsx(request: Request, actor: CurrentActor, batch_id: PathId) -> Stream:
    return await _rejected(request, actor, batch_id, "xlsx")


HANDLERS = [
    imports_page,
    start_import,
    batch_page,
    batch_progress,
    plan_import,
    remap_import,
    commit_import,
    undo_import,
    discard_import,
    rejected_csv,
    rejected_xlsx,
]
