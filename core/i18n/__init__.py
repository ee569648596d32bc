"""Translations per tenant and locale, negotiation, and CLDR formatting in the tenant's time zone."""
