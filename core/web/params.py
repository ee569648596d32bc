"""Explicit markers for handler parameters (Litestar 3 drops inferred dependencies and parameters)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter, QueryParameter

from core.accounts.roles import Actor
from core.i18n.translator import Translator
from core.tenancy.registry import TenantRuntime

CurrentActor = NamedDependency[Actor]
CurrentTenant = NamedDependency[TenantRuntime]
CurrentTranslator = NamedDependency[Translator]
JSONObject = JSONBody[dict[str, Any]]
# Ids are 32-bit columns: a larger one is refused as a bad request before it reaches the driver.
PathId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
# The same bound for ids given as query filters (an optional one stays optional).
QueryId = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]
PathName = FromPath[str]
# The token of a mailed link (43 characters as issued); anything far longer is not worth a lookup.
LinkToken = Annotated[str, PathParameter(max_length=128)]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]

__all__ = [
    "CurrentActor",
    "CurrentTenant",
    "CurrentTranslator",
    "FromQuery",
    "JSONObject",
    "Limit",
    "LinkToken",
    "PathId",
    "PathName",
    "QueryId",
]
