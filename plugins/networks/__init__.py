"""Networks and alliances of organizations: a capability plugin built only on ``core.plugin_api``."""
