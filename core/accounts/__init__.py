"""Accounts, roles, password hashing and API tokens (per tenant: each lives in its tenant database)."""
