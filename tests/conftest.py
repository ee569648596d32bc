"""Fixtures come from core's pytest plugin (core.testing.pytest_plugin), registered as an entry point
so plugin packages get the same ones."""
