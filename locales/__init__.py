"""Core's message catalogs. The source tree keeps them at the top level; installed, they are the
package ``core.locales`` (pyproject.toml maps it here), found by ``core.i18n.catalogs.core_locale_dir``."""
