from litestar import get


@get("/healthz", summary="Liveness", tags=["Operations"], exclude_from_auth=True)
async def healthz() -> dict[str, str]:
    """Answers without a tenant: the process is up and serving."""
    return {"status": "ok"}
