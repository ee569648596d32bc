"""The ``pilot-crm`` command line."""
