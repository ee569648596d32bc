"""In-repo country plugins. Each subpackage is one plugin, found through the ``pilot_crm.plugins``
entry-point group (see ``plugins/README.md``)."""
