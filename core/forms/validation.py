"""Validate a submission against a form definition: one place for API and HTML forms alike."""

from __future__ import annotations

from typing import Any

import pluggy

from core.errors import Message, ValidationFailed
from core.forms.definitions import FormDefinition
from core.forms.fields import FieldInvalid, clean_value, is_empty
from core.i18n.markers import N_

# Keys a client may send besides the form's fields.
META_KEYS = frozenset({"version"})


def require_fields_only(data: Any, allowed: frozenset[str] | set[str]) -> dict[str, Any]:
    """``data`` as a dict, or ValidationFailed naming each key that is not in ``allowed``: small
    bodies with no form definition (attendance) refuse stray keys as record bodies do."""
    if not isinstance(data, dict):
        raise ValidationFailed({"": [Message(N_("Send a JSON object."))]})
    unknown = {key: [Message(N_("Unknown field."))] for key in data if key not in allowed}
    if unknown:
        raise ValidationFailed(unknown)
    return data


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
    if not isinstance(data, dict):
        raise ValidationFailed({"": [Message(N_("Send a JSON object."))]})
    errors: dict[str, list[Message]] = {}
    for key in data:
        if form.field(key) is None and key not in META_KEYS:
            errors.setdefault(key, []).append(Message(N_("Unknown field.")))
    core: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for spec in form.fields:
        present = spec.name in data
        if partial and not present:
            continue
        raw = data.get(spec.name)
        if is_empty(raw):
            if spec.required:
                errors.setdefault(spec.name, []).append(Message(N_("This field is required.")))
                continue
            value: Any = spec.empty
        else:
            try:
                value = clean_value(spec, raw, region=region, locales=locales)
            except FieldInvalid as exc:
                errors.setdefault(spec.name, []).append(exc.message)
                continue
        (core if spec.source == "core" else extra)[spec.name] = value
    if errors:
        raise ValidationFailed(errors)
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
