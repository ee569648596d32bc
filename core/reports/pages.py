"""The roadmap report for every signed-in member (as joint actions are): a printable page and the
same report as a PDF download, both in the reader's language."""

from __future__ import annotations

from anyio import to_thread
from litestar import Request, Response, get
from litestar.response import Template

from core.reports import labels
from core.reports.pdf import render_pdf
from core.reports.roadmap import RoadmapService
from core.web.pages.guards import require_signed_in
from core.web.pages.render import page_parts, render
from core.web.params import CurrentActor


@get("/reports/roadmap", name="roadmap_report", guards=[require_signed_in], include_in_schema=False)
async def roadmap_page(request: Request, actor: CurrentActor) -> Template:
    _, t, _ = page_parts(request)
    roadmap = await RoadmapService(actor, t.locale).build()
    return render(request, "reports/roadmap.html", roadmap=roadmap, labels=labels)


@get("/reports/roadmap.pdf", name="roadmap_report_pdf", guards=[require_signed_in], include_in_schema=False)
async def roadmap_pdf(request: Request, actor: CurrentActor) -> Response[bytes]:
    tenant, t, _ = page_parts(request)
    roadmap = await RoadmapService(actor, t.locale).build()
    name = f"roadmap-{tenant.slug}-{roadmap.today.isoformat()}-{t.locale}.pdf"
    # Laying out a few hundred actions takes seconds of CPU: off the event loop, other requests go on.
    content = await to_thread.run_sync(render_pdf, roadmap, t)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
