"""Plugin discovery and per-tenant plugin managers."""

from core.hookspecs import hookimpl

__all__ = ["hookimpl"]
