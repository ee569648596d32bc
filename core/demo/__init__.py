"""Fictitious demo data for the demo tenants, in each tenant's language.

``data_<slug>`` modules hold data only (names, organizations, meetings, roadmap); ``builders`` turns
them into service input without touching a database; ``seed.seed_tenant`` writes them through the
domain services and creates the demo accounts.
"""

DEMO_SLUGS = ("mex", "ago", "demo-ar")
