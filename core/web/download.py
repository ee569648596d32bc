"""A file streamed to the browser as it is written (exports)."""

from __future__ import annotations

from typing import Any

from litestar.response import Stream

from core.records.export import ExportFile, attachment


class Download(Stream):
    """A stream whose own media type wins over its route's: one export route serves CSV or XLSX."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["media_type"] = None
        return super().to_asgi_response(*args, **kwargs)


def download(export: ExportFile) -> Download:
    return Download(export.body(), media_type=export.media_type, headers=attachment(export.filename()))
