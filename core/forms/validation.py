"""Validate a submission against a form definition: one place for API and HTML forms alike."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pluggy

from core.errors import Message, ValidationFailed
from core.forms.definitions import FormDefinition
from core.forms.fields import FieldInvalid, FieldSpec, clean_value, is_empty
from core.i18n.markers import N_

# Keys a client may send besides the form's fields.
META_KEYS = frozenset({"version"})


def clean_fields(
    fields: Iterable[FieldSpec],
    data: Any,
    *,
    partial: bool = False,
    region: str | None = None,
    locales: tuple[str, ...] = (),
    meta_keys: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """``data`` cleaned field by field (``{name: value}``), or ValidationFailed with every problem:
    not an object, unknown keys, missing required fields, values of the wrong shape or kind.

    The one place a submitted body meets field specs, for record forms and for small bodies alike
    (a progress update, an attendance). ``partial`` (updates) cleans only the fields present."""
    if not isinstance(data, dict):
        raise ValidationFailed({"": [Message(N_("Send a JSON object."))]})
    specs = {spec.name: spec for spec in fields}
    errors: dict[str, list[Message]] = {}
    for key in data:
        if key not in specs and key not in meta_keys:
            errors.setdefault(str(key), []).append(Message(N_("Unknown field.")))
    cleaned: dict[str, Any] = {}
    for spec in specs.values():
        if partial and spec.name not in data:
            continue
        raw = data.get(spec.name)
        if is_empty(raw):
            if spec.required:
                errors.setdefault(spec.name, []).append(Message(N_("This field is required.")))
            else:
                cleaned[spec.name] = spec.empty
            continue
        try:
            cleaned[spec.name] = clean_value(spec, raw, region=region, locales=locales)
        except FieldInvalid as exc:
            errors.setdefault(spec.name, []).append(exc.message)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def validate_submission(
    form: FormDefinition,
    data: Any,
    *,
    partial: bool,
    pm: pluggy.PluginManager,
    region: str | None,
    locales: tuple[str, ...],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(core_values, extra_values)`` or raise ValidationFailed with every field's problems.

    ``partial`` (updates) validates only the fields present and leaves the plugins' whole-record
    rules to :func:`validate_record` once the stored record is known; creates run everything.
    """
    cleaned = clean_fields(
        form.fields, data, partial=partial, region=region, locales=locales, meta_keys=META_KEYS
    )
    core = {f.name: cleaned[f.name] for f in form.fields if f.name in cleaned and f.source == "core"}
    extra = {f.name: cleaned[f.name] for f in form.fields if f.name in cleaned and f.source != "core"}
    if not partial:
        validate_record(form, {**core, **extra}, pm)
    return core, extra


def validate_record(form: FormDefinition, record: dict[str, Any], pm: pluggy.PluginManager) -> None:
    """Run the plugins' cross-field rules on the whole record as it would be saved: on updates, the
    stored values merged with the change, so a rule sees fields the client did not resend."""
    whole = {spec.name: record.get(spec.name, spec.empty) for spec in form.fields}
    errors: dict[str, list[Message]] = {}
    for result in pm.hook.pilot_crm_validate(form=form.name, data=whole) or ():
        for field_name, messages in (result or {}).items():
            errors.setdefault(field_name, []).extend(messages)
    if errors:
        raise ValidationFailed(errors)
