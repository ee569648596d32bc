"""The web layer: app factory, tenant middleware, problem details, JSON API wiring."""
