"""The compiled list-query cache: keyed by a query's shape only (never by a page size a client
chooses), and bounded whatever shapes come (plugins may add record services)."""

from __future__ import annotations

from core.organizations.service import OrganizationService
from core.records import service as records
from core.records.search import MAX_SEARCH_TERMS


def bare(service_cls: type) -> records.RecordService:
    """A service object for compiling queries only (no tenant, no member: nothing runs)."""
    return object.__new__(service_cls)


def test_every_page_size_shares_one_compiled_query():
    records._PAGE_QUERIES.clear()
    service = bare(OrganizationService)
    compiled = {id(service._prepared_page(False, 2, True, None)) for _ in range(1, records.MAX_LIMIT + 1)}
    assert len(compiled) == 1 and len(records._PAGE_QUERIES) == 1
    prepared = service._prepared_page(False, 2, True, None)
    assert prepared.limit and prepared.n_params == 2 + 2  # terms and cursor; the page size is bound too


def test_the_cache_holds_at_most_its_bound_and_keeps_the_recent_shapes():
    records._PAGE_QUERIES.clear()
    for i in range(3 * records.PAGE_QUERY_CACHE_SIZE):
        service_cls = type(f"PluginService{i}", (OrganizationService,), {})
        bare(service_cls)._prepared_page(bool(i % 2), i % (MAX_SEARCH_TERMS + 1), bool(i % 3), None)
        assert len(records._PAGE_QUERIES) == min(i + 1, records.PAGE_QUERY_CACHE_SIZE)
    newest = next(reversed(list(records._PAGE_QUERIES.keys())))
    assert newest[0].__name__ == f"PluginService{3 * records.PAGE_QUERY_CACHE_SIZE - 1}"
