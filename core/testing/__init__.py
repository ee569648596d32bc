"""Test kit for core and for plugin authors: a pytest plugin (entry point ``pytest11``) with fixtures
that build real tenants on SQLite and PostgreSQL, migrate them, and talk to them over HTTP."""
