"""The plugin contract is documented: every hookspec has a docstring and appears in the plugin guide;
and hooks behave as documented when a throwaway plugin is registered."""

from __future__ import annotations

import inspect
from pathlib import Path

import pluggy
import pytest

from core import hookspecs
from core.forms.definitions import build_form
from core.forms.fields import FieldSpec
from core.plugins.manager import build_manager

GUIDE = Path(__file__).resolve().parents[2] / "plugins" / "README.md"


def hookspec_names() -> list[str]:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return sorted(name for name in dir(pm.hook) if name.startswith("pilot_crm_"))


def test_there_are_hookspecs():
    assert "pilot_crm_topics" in hookspec_names()


@pytest.mark.parametrize("name", hookspec_names())
def test_every_hookspec_has_a_docstring(name):
    doc = inspect.getdoc(getattr(hookspecs, name))
    assert doc and len(doc.split()) >= 8, f"{name} is undocumented"


@pytest.mark.parametrize("name", hookspec_names())
def test_every_hookspec_is_in_the_plugin_guide(name):
    assert f"`{name}(" in GUIDE.read_text(encoding="utf-8"), f"{name} is missing from plugins/README.md"


class ThrowawayPlugin:
    @hookspecs.hookimpl
    def pilot_crm_form_fields(self, form):
        return [FieldSpec("zz_code", "text", "Code", max_length=4)] if form == "contact" else []


def test_a_registered_plugin_adds_fields_only_to_its_manager():
    with_plugin = build_manager(("zz",), {"zz": ThrowawayPlugin()})
    without = build_manager(())
    assert build_form("contact", with_plugin).field("zz_code").source == "zz"
    assert build_form("contact", without).field("zz_code") is None
    assert build_form("organization", with_plugin).plugin_fields == ()


def test_two_plugins_may_not_define_the_same_field():
    pm = build_manager(("a", "b"), {"a": ThrowawayPlugin(), "b": ThrowawayPlugin()})
    with pytest.raises(ValueError, match="redefines field 'zz_code'"):
        build_form("contact", pm)
