"""What is wrong with a plugin, found before any tenant uses it.

A plugin is code core only meets at run time: an import error, a hook whose arguments the spec does
not have, a misspelled hook (never called, silently), a field that shadows a record's ``id``, a topic
code the topic form would refuse or a catalog Babel cannot read would otherwise surface at the first
request (a 500) or half-way through ``migrate``. :func:`check_plugins` imports plugins by
entry-point name, registers each into a manager of its own with core's hookspecs, calls its
describing hooks and returns every problem found, one line each, naming the plugin.
``pilot-crm plugins check`` prints them all; ``serve``, ``migrate`` and the app refuse to start on
the first (``core.plugins.startup``), before any tenant database is touched.

Domain code: no click, no web. What the web layer reserves (the path segments under a tenant that
core's pages use) is handed in as ``reserved``.
"""

from __future__ import annotations

import difflib
import inspect
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from babel import Locale, UnknownLocaleError
from babel.messages.pofile import PoFileError, read_po
from piccolo.columns import Column

from core import hookspecs
from core.db.columns import RecordMixin
from core.forms.definitions import CORE_FORMS
from core.forms.fields import KINDS, FieldSpec
from core.plugins import default as default_plugin
from core.plugins.contributions import (
    ExportColumn,
    NavEntry,
    Panel,
    PersonalDataSource,
    PickExclusion,
    PluginForm,
)
from core.plugins.manager import load_plugin
from core.topics.specs import CATEGORIES, TopicSpec

if TYPE_CHECKING:
    from core.tenancy.registry import TenantRuntime

HOOK_PREFIX = f"{hookspecs.PROJECT}_"
HOOKS: tuple[str, ...] = tuple(
    name for name, fn in vars(hookspecs).items() if hasattr(fn, f"{hookspecs.PROJECT}_spec")
)
CHOICE_KINDS = ("choice", "multichoice")
REFERENCE_KINDS = ("reference", "references")
# The code rule of core's topic form; codes are matched in capitals (a topics field upper-cases
# what it is given), so a declared code in lower case could never be chosen.
_CODE_FIELD = next(f for f in CORE_FORMS["topic"] if f.name == "code")


class PluginCheckFailed(Exception):
    """Plugins the tenants enable are broken. Its message is one line: the first problem, and how
    many more ``pilot-crm plugins check`` lists."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more: run pilot-crm plugins check)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def closest(name: str) -> str:
    """`` (did you mean pilot_crm_topics?)`` for a near miss of a hook's name, else ``""``."""
    match = difflib.get_close_matches(name, HOOKS, n=1, cutoff=0.6)
    return f" (did you mean {match[0]}?)" if match else ""


def record_mixin_keys() -> frozenset[str]:
    """What every record holds whatever its table: the id, RecordMixin's columns, ``extra``."""
    columns = {name for name, value in vars(RecordMixin).items() if isinstance(value, Column)}
    return frozenset({"id", "extra", *columns})


def core_output_keys() -> dict[str, frozenset[str]]:
    """Per core form, the keys of its records as services answer them (columns and added keys)."""
    from core.actions.service import ActionService
    from core.contacts.service import ContactService
    from core.meetings.service import MeetingService
    from core.organizations.service import OrganizationService
    from core.topics.service import TopicService

    services = (OrganizationService, ContactService, MeetingService, ActionService, TopicService)
    return {service.form_name: service.output_keys() | record_mixin_keys() for service in services}


def is_name(value: object) -> bool:
    """A field or form name: an ASCII identifier (it is an HTML name, a JSON key, a CSV column)."""
    return isinstance(value, str) and value.isascii() and value.isidentifier()


# -- catalogs ------------------------------------------------------------------------------------


@cache
def _catalog_problem(path: Path, mtime: float) -> str | None:
    """What is wrong with one ``.po`` file (``path:line: reason``), or None; cached per version."""
    data = path.read_bytes()
    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as exc:
        return f"{path}:{exc.lineno + 1}: {exc}".removesuffix(f" on {exc.lineno}")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return f"{path}:{line}: not valid {exc.encoding} ({exc.reason})"
    except Exception as exc:  # Babel raises plain errors for some headers
        return f"{path}: {one_line(exc)}"
    language = path.parent.parent.name
    if catalog.locale is not None and str(catalog.locale) != language:
        return f"{path}: its Language header says '{catalog.locale}', its folder '{language}'"
    return None


def catalog_problems(plugin: str, directory: Path) -> list[str]:
    """Each ``<lang>/LC_MESSAGES/messages.po`` under ``directory`` parses, under a folder Babel knows."""
    if not directory.is_dir():
        return [f"plugin '{plugin}': locale directory {directory} does not exist"]
    problems = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        language = po.parent.parent.name
        try:
            Locale.parse(language)
        except (ValueError, UnknownLocaleError):
            problems.append(f"plugin '{plugin}': {po}: '{language}' is not a locale Babel knows")
            continue
        if (problem := _catalog_problem(po, po.stat().st_mtime)) is not None:
            problems.append(f"plugin '{plugin}': catalog {problem}")
    return problems


# -- one plugin ----------------------------------------------------------------------------------


@dataclass
class Inspected:
    """A plugin that imported and registered: its hook functions, and what its hooks returned."""

    name: str
    plugin: object
    pm: pluggy.PluginManager
    problems: list[str] = field(default_factory=list)
    _results: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    def implements(self, hook: str) -> bool:
        return bool(getattr(self.pm.hook, hook).get_hookimpls())

    def call(self, hook: str, expected: type | tuple[type, ...] | None = None, **kwargs: Any) -> list[Any]:
        """What ``hook`` returns for ``kwargs`` (once), as a list; ``[]`` after noting a problem when
        it raises, returns something that is not a list, or items that are not ``expected``."""
        key = (hook, repr(sorted(kwargs.items())))
        if key in self._results:
            return self._results[key]
        result: list[Any] = []
        where = f"plugin '{self.name}': hook {hook}" + "".join(f" ({k}={v!r})" for k, v in kwargs.items())
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            try:
                value = impl.function(*(kwargs[arg] for arg in impl.argnames))
            except Exception as exc:
                self.problems.append(f"{where} raised {one_line(exc)}")
                continue
            if value is None:
                continue
            if not isinstance(value, list | tuple):
                self.problems.append(f"{where} returned a {type(value).__name__}, not a list")
                continue
            for item in value:
                if expected is not None and not isinstance(item, expected):
                    names = expected.__name__ if isinstance(expected, type) else expected[0].__name__
                    self.problems.append(f"{where} returned a {type(item).__name__}, not a {names}")
                else:
                    result.append(item)
        self._results[key] = result
        return result


def declared_api_problem(name: str, plugin: object, served: tuple[int, ...]) -> str | None:
    """Why ``plugin`` cannot run on a core serving the API versions ``served``, or None."""
    listed = ", ".join(map(str, served))
    versions = getattr(plugin, "API_VERSIONS", None)
    if versions is None:
        return f"plugin '{name}': declares no API_VERSIONS (this core serves API version {listed})"
    if not isinstance(versions, tuple | list | set | frozenset) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in versions
    ):
        return f"plugin '{name}': API_VERSIONS must be a tuple of integers, not {versions!r}"
    if not set(versions) & set(served):
        declared = ", ".join(map(str, sorted(versions))) or "none"
        return f"plugin '{name}': supports API versions {declared}, this core serves {listed}"
    return None


def _required_args(fn: Callable[..., Any]) -> list[str]:
    """The arguments pluggy passes to a hook function: those without a default (not ``self``)."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters if p.kind in kinds and p.default is inspect.Parameter.empty]


def definition_problems(name: str, plugin: object, pm: pluggy.PluginManager) -> list[str]:
    """Misspelled hooks (marked or not), hooks defined but not marked, and arguments a hook does not
    take, found the way pluggy finds hooks (attributes marked with ``hookimpl``)."""
    problems = []
    for attr in sorted(dir(plugin)):
        try:
            value = getattr(plugin, attr)
        except Exception:  # noqa: S112 - a property that raises is not a hook
            continue
        if not inspect.isroutine(value):
            continue
        opts = pm.parse_hookimpl_opts(plugin, attr)
        if opts is None:
            if attr in HOOKS:
                problems.append(
                    f"plugin '{name}': function {attr} is not marked with @hookimpl, so it is never called"
                )
            elif attr.startswith(HOOK_PREFIX):
                problems.append(f"plugin '{name}': function {attr} is not a hook{closest(attr)}")
            continue
        hook = opts.get("specname") or attr
        if hook not in HOOKS:
            problems.append(f"plugin '{name}': {attr} is marked @hookimpl but is not a hook{closest(hook)}")
            continue
        takes = getattr(pm.hook, hook).spec.argnames
        for arg in _required_args(value):
            if arg not in takes:
                listed = ", ".join(takes) or "no arguments"
                problems.append(
                    f"plugin '{name}': hook {hook} has an argument '{arg}' the hook does not take "
                    f"(it takes: {listed})"
                )
    return problems


def inspect_plugin(name: str, plugin: object) -> Inspected | list[str]:
    """Register ``plugin`` alone into a manager with core's hookspecs, or say why it cannot be."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if problems := definition_problems(name, plugin, pm):
        return problems
    try:
        pm.register(plugin, name=name)
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        return [f"plugin '{name}': {str(exc).splitlines()[-1]}"]
    except ValueError as exc:  # pluggy refuses a plugin object registered twice
        return [f"plugin '{name}': {one_line(exc)}"]
    return Inspected(name, plugin, pm)


def field_problems(
    plugin: str, form: str, specs: Iterable[FieldSpec], taken: Mapping[str, str], forms: Iterable[str]
) -> list[str]:
    """The fields ``plugin`` declares on ``form``; ``taken`` maps names the form already uses to
    what uses them (core's field, a record key)."""
    where = f"plugin '{plugin}': field"
    problems: list[str] = []
    seen: set[str] = set()
    known_forms = set(forms)
    for spec in specs:
        label = f"{where} {spec.name!r} on form '{form}'"
        if not is_name(spec.name):
            problems.append(f"{label} is not a name (ASCII letters, digits and _, not starting with a digit)")
            continue
        if spec.name in taken:
            problems.append(f"{label} collides with {taken[spec.name]}")
        if spec.name in seen:
            problems.append(f"{label} is declared twice")
        seen.add(spec.name)
        if spec.kind not in KINDS:
            problems.append(f"{label} has kind '{spec.kind}', not one of {', '.join(KINDS)}")
        if spec.kind in CHOICE_KINDS and not spec.choices:
            problems.append(f"{label} is a {spec.kind} field without choices")
        if spec.kind in REFERENCE_KINDS and spec.references not in known_forms:
            problems.append(f"{label} references '{spec.references}', which is not a form")
        if spec.pattern is not None:
            try:
                re.compile(spec.pattern)
            except re.error as exc:
                problems.append(f"{label} has a pattern that does not compile: {exc}")
    return problems


def refines_problem(spec: TopicSpec, core_codes: frozenset[str], owners: Mapping[str, str]) -> str | None:
    """What is wrong with ``spec.refines``, or None: a priority refines one topic of the shared
    taxonomy (a code core declares), never a plugin's topic nor a code nobody declares.
    ``owners`` maps the codes plugins declare to the plugin declaring them."""
    refined = spec.refines
    if refined is None:
        return None
    if not spec.priority:
        return f"refines {refined!r}, but only a national priority (priority=True) may refine a topic"
    if refined in core_codes:
        return None
    if isinstance(refined, str) and refined in owners:
        return (
            f"refines {refined!r}, a topic of plugin '{owners[refined]}': only a topic of the shared "
            "taxonomy may be refined"
        )
    return f"refines {refined!r}, which is not a code of the shared taxonomy"


def topic_problems(
    plugin: Inspected, core_codes: frozenset[str], owners: Mapping[str, str] | None = None
) -> list[str]:
    owners = owners or {}
    problems: list[str] = []
    seen: set[str] = set()
    rule = _CODE_FIELD.pattern or ""
    longest = _CODE_FIELD.max_length or 0
    for spec in plugin.call("pilot_crm_topics", TopicSpec):
        label = f"plugin '{plugin.name}': topic {spec.code!r}"
        if not isinstance(spec.code, str) or not re.fullmatch(rule, spec.code) or len(spec.code) > longest:
            problems.append(f"{label}: a code is letters, digits and hyphens, at most {longest} characters")
        elif spec.code != spec.code.upper():
            problems.append(f"{label}: a code is written in capitals ({spec.code.upper()})")
        if spec.category not in CATEGORIES:
            problems.append(f"{label}: category '{spec.category}' is not one of {', '.join(CATEGORIES)}")
        if spec.code in core_codes:
            problems.append(f"{label}: core already declares this code")
        elif spec.code in seen:
            problems.append(f"{label}: declared twice")
        seen.add(spec.code)
        if not isinstance(spec.label, str) or not spec.label.strip():
            problems.append(f"{label}: the label is empty")
        if (problem := refines_problem(spec, core_codes, owners)) is not None:
            problems.append(f"{label}: {problem}")
    return problems


def topic_owners(inspected: Mapping[str, Inspected]) -> dict[str, str]:
    """``code → plugin`` for every topic the ``inspected`` plugins declare (the first one wins)."""
    owners: dict[str, str] = {}
    for name, plugin in inspected.items():
        for spec in plugin.call("pilot_crm_topics", TopicSpec):
            owners.setdefault(spec.code, name)
    return owners


def contribution_problems(plugin: Inspected, entities: Iterable[str]) -> list[str]:
    """The other describing hooks return lists of what they should; paths and folders exist.
    (``pilot_crm_validate`` and ``pilot_crm_record_changed`` take records: their signature is all
    that is checked.)"""
    problems = []
    name = plugin.name
    for directory in plugin.call("pilot_crm_template_dirs", (Path, str)):
        if not Path(directory).is_dir():
            problems.append(f"plugin '{name}': template directory {directory} does not exist")
    for entry in plugin.call("pilot_crm_navigation", NavEntry):
        if not entry.path.startswith("/"):
            problems.append(f"plugin '{name}': menu entry {entry.label!r} has a path not starting with /")
    plugin.call("pilot_crm_dashboard_panels", Panel)
    plugin.call("pilot_crm_personal_data", PersonalDataSource)
    for exclusion in plugin.call("pilot_crm_pick_exclusions", PickExclusion):
        if not re.fullmatch(r"[a-z][a-z0-9_.-]{0,63}", str(exclusion.key)):
            problems.append(
                f"plugin '{name}': pick exclusion {exclusion.key!r} is not lowercase letters, digits, "
                "'.', '_' and '-', at most 64"
            )
        if exclusion.picks not in ("contact", "organization"):
            problems.append(
                f"plugin '{name}': pick exclusion {exclusion.key!r} picks {exclusion.picks!r}, "
                "not 'contact' or 'organization'"
            )
    for entity in entities:
        plugin.call("pilot_crm_record_panels", Panel, entity=entity)
        plugin.call("pilot_crm_export_columns", ExportColumn, entity=entity)
    plugin.call("pilot_crm_routes")
    plugin.call("pilot_crm_api_routes")
    if plugin.implements("pilot_crm_piccolo_apps"):
        from piccolo.conf.apps import AppConfig

        plugin.call("pilot_crm_piccolo_apps", AppConfig)
    return problems


# -- several plugins -----------------------------------------------------------------------------


@dataclass
class Checked:
    """The outcome of :func:`check_plugins`: the problems, and the plugins that could be looked at."""

    problems: list[str]
    inspected: dict[str, Inspected]
    forms: dict[str, tuple[str, PluginForm]]  # plugin form name → (plugin, form)

    def failed(self, names: Iterable[str]) -> bool:
        prefixes = tuple(f"plugin '{n}':" for n in names)
        return any(p.startswith(prefixes) for p in self.problems)


def load(name: str, overrides: Mapping[str, object]) -> object:
    return overrides[name] if name in overrides else load_plugin(name)


def check_plugins(
    names: Iterable[str],
    *,
    served: tuple[int, ...],
    reserved: Iterable[str] = (),
    overrides: Mapping[str, object] | None = None,
) -> Checked:
    """Check the plugins ``names`` (entry points of ``pilot_crm.plugins``, or ``overrides``: objects
    tests register in a plugin's place, which declare no API version) against a core serving the
    API versions ``served``. ``reserved`` are the first path segments under a tenant that core's
    pages use, which a plugin's name (its routes' prefix) may not be."""
    overrides = overrides or {}
    reserved = frozenset(reserved)
    problems: list[str] = []
    inspected: dict[str, Inspected] = {}
    for name in dict.fromkeys(names):
        if name in reserved:
            problems.append(
                f"plugin '{name}': its name is a path core uses under a tenant (/t/<tenant>/{name}/), "
                "where the plugin's pages would be mounted"
            )
        try:
            plugin = load(name, overrides)
        except Exception as exc:
            problems.append(f"plugin '{name}': cannot be imported: {one_line(exc)}")
            continue
        if name not in overrides and (problem := declared_api_problem(name, plugin, served)) is not None:
            problems.append(problem)
        outcome = inspect_plugin(name, plugin)
        if isinstance(outcome, list):
            problems.extend(outcome)
        else:
            inspected[name] = outcome

    forms = _plugin_forms(inspected, problems)
    output_keys = core_output_keys()
    form_names = [*CORE_FORMS, *forms]
    core_codes = frozenset(spec.code for spec in default_plugin.pilot_crm_topics())
    owners = topic_owners(inspected)
    for name, plugin in inspected.items():
        found = []
        for form in form_names:
            taken = _taken(form, forms, output_keys)
            specs = plugin.call("pilot_crm_form_fields", FieldSpec, form=form)
            found += field_problems(name, form, specs, taken, form_names)
        found += topic_problems(plugin, core_codes, owners)
        for directory in plugin.call("pilot_crm_locale_dirs", (Path, str)):
            found += catalog_problems(name, Path(directory))
        found += contribution_problems(plugin, CORE_FORMS)
        problems += plugin.problems + found
    return Checked(problems, inspected, forms)


def _plugin_forms(
    inspected: Mapping[str, Inspected], problems: list[str]
) -> dict[str, tuple[str, PluginForm]]:
    """The forms plugins declare; a name core or an earlier plugin uses is a problem (and left out)."""
    forms: dict[str, tuple[str, PluginForm]] = {}
    for name, plugin in inspected.items():
        declared = plugin.call("pilot_crm_forms", PluginForm)
        # A plugin's forms may refer to core's and to each other (a membership to its network).
        known = [*CORE_FORMS, *(form.name for form in declared)]
        for form in declared:
            where = f"plugin '{name}': form {form.name!r}"
            if not is_name(form.name):
                problems.append(f"{where} is not a name (ASCII letters, digits and _)")
            elif form.name in CORE_FORMS:
                problems.append(f"{where} collides with core's form of that name")
            elif form.name in forms:
                problems.append(f"{where} collides with the form of plugin '{forms[form.name][0]}'")
            else:
                forms[form.name] = (name, form)
                # The form's own fields are its table's columns: only the keys every record has are taken.
                taken = {k: f"the record key '{k}'" for k in record_mixin_keys()}
                problems += field_problems(name, form.name, form.fields, taken, known)
    return forms


def _service_keys(form: PluginForm) -> frozenset[str]:
    keys = record_mixin_keys()
    output_keys = getattr(form.service, "output_keys", None)
    return keys | output_keys() if callable(output_keys) else keys


def _taken(
    form: str, forms: Mapping[str, tuple[str, PluginForm]], output_keys: Mapping[str, frozenset[str]]
) -> dict[str, str]:
    """Names another plugin's field on ``form`` may not use, with what uses them."""
    if form in CORE_FORMS:
        fields = [f.name for f in CORE_FORMS[form]]
        keys = output_keys.get(form, record_mixin_keys())
        owner = "core's field"
    else:
        plugin, declared = forms[form]
        fields = [f.name for f in declared.fields]
        keys = _service_keys(declared)
        owner = f"plugin '{plugin}''s field"
    taken = {k: f"the record key '{k}'" for k in keys}
    taken.update({f: f"{owner} '{f}'" for f in fields})
    return taken


def tenant_problems(tenant: TenantRuntime, checked: Checked) -> list[str]:
    """What only shows when plugins meet in one tenant: two adding the same field to a form, or
    declaring the same topic code."""
    where = f"tenant '{tenant.slug}'"
    plugins = [checked.inspected[n] for n in tenant.declaration.plugins if n in checked.inspected]
    problems = []
    forms = [
        *CORE_FORMS,
        *(f for f, (owner, _) in checked.forms.items() if owner in tenant.declaration.plugins),
    ]
    for form in forms:
        owners: dict[str, str] = {}
        for plugin in plugins:
            for spec in plugin.call("pilot_crm_form_fields", FieldSpec, form=form):
                if spec.name in owners and owners[spec.name] != plugin.name:
                    problems.append(
                        f"{where}: plugins '{owners[spec.name]}' and '{plugin.name}' both add field "
                        f"'{spec.name}' to form '{form}'"
                    )
                owners.setdefault(spec.name, plugin.name)
    codes: dict[str, str] = {}
    for plugin in plugins:
        for spec in plugin.call("pilot_crm_topics", TopicSpec):
            if spec.code in codes and codes[spec.code] != plugin.name:
                problems.append(
                    f"{where}: plugins '{codes[spec.code]}' and '{plugin.name}' both declare topic "
                    f"'{spec.code}'"
                )
            codes.setdefault(spec.code, plugin.name)
    return problems


def verify(tenants: Iterable[TenantRuntime], *, served: tuple[int, ...], reserved: Iterable[str]) -> None:
    """Raise :class:`PluginCheckFailed` when a plugin some of ``tenants`` enable is broken; touches
    no database (it runs before ``migrate`` and ``serve`` do)."""
    tenants = list(tenants)
    names: dict[str, None] = {}
    overrides: dict[str, object] = {}
    for tenant in tenants:
        names.update(dict.fromkeys(tenant.declaration.plugins))
        overrides.update(tenant.plugin_overrides)
    checked = check_plugins(names, served=served, reserved=reserved, overrides=overrides)
    problems = list(checked.problems)
    for tenant in tenants:
        problems += tenant_problems(tenant, checked)
    if problems:
        raise PluginCheckFailed(problems)
