"""The record machinery every domain area shares: list/search/paginate, create, update with
optimistic concurrency, archive, audit. Domain services configure it; they do not repeat it."""
