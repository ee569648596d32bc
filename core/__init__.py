"""Pilot CRM core: tenancy, plugin contract, i18n and the CRM domain."""

__version__ = "0.1.0"
