"""Piccolo configuration: every table (ours, plugins', Piccolo's migration table) routes by tenant."""

from piccolo.conf.apps import AppRegistry

from core.db.routing import ROUTING_ENGINE

DB = ROUTING_ENGINE

APP_REGISTRY = AppRegistry(apps=["core.db.piccolo_app"])
