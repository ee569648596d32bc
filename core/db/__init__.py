"""Database access: the routing engine every table is bound to, and the per-tenant engines behind it."""

import os

# Piccolo's own tables (its migration table) find their engine through PICCOLO_CONF at import time;
# point it at the routing engine before anything imports them.
os.environ.setdefault("PICCOLO_CONF", "core.db.piccolo_conf")
