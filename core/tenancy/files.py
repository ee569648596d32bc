"""Write tenant declarations the way running processes can read them at any moment: whole or not at all.

App processes poll the tenants directory (``core.tenancy.watch``), so a declaration is never written
in place: the new text goes to a file in a private directory inside the tenants directory (same
file system, and ``*.toml`` does not look into it), is validated there by
:func:`~core.tenancy.declaration.load_declaration` under its final name, and is then renamed over
the old one (or linked into place, which fails if a declaration of that slug appeared meanwhile).

Edits touch one top-level key and leave the rest of the text as the operator wrote it (comments
included), which a TOML writer that re-serialises the document would not.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.tenancy.declaration import TenantConfigError, TenantDeclaration, load_declaration


def toml_value(value: str | bool | list[str]) -> str:
    """A TOML literal for a string, a boolean or a list of strings (TOML's basic strings take JSON's
    escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def render(fields: dict[str, str | bool | list[str]]) -> str:
    """A new declaration's text: one top-level key per line, in the order given."""
    return "".join(f"{key} = {toml_value(value)}\n" for key, value in fields.items())


def _top_level_end(lines: list[str]) -> int:
    """The index of the first table header (``[names]``…): top-level keys live before it."""
    return next((i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))


def set_key(text: str, key: str, value: str | bool | list[str] | None) -> str:
    """``text`` with the top-level ``key`` set to ``value`` (or removed when ``value`` is None)."""
    lines = text.splitlines(keepends=True)
    end = _top_level_end(lines)
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    kept = [line for i, line in enumerate(lines) if i >= end or not pattern.match(line)]
    if value is None:
        return "".join(kept)
    end = _top_level_end(kept)
    head = kept[:end]
    if head and not head[-1].endswith("\n"):
        head[-1] += "\n"
    return "".join([*head, f"{key} = {toml_value(value)}\n", *kept[end:]])


def declaration_path(tenants_dir: Path, slug: str) -> Path:
    return tenants_dir / f"{slug}.toml"


@contextmanager
def staged(
    tenants_dir: Path, slug: str, text: str, data_dir: Path
) -> Iterator[tuple[Path, TenantDeclaration]]:
    """``text`` written and validated under its final name in a private directory of
    ``tenants_dir``: yields that file and its declaration; the directory goes away afterwards
    (whatever was published from it has been renamed or linked out)."""
    with tempfile.TemporaryDirectory(dir=tenants_dir, prefix=".staging-") as tmp:
        path = Path(tmp) / f"{slug}.toml"
        path.write_text(text, encoding="utf-8")
        os.chmod(path, 0o644)
        declaration = load_declaration(path, data_dir)
        yield path, declaration


def publish_new(staged_path: Path, tenants_dir: Path) -> Path:
    """Link a staged declaration into place; FileExistsError if one of that slug exists (never
    overwritten, even when it appeared since the caller checked)."""
    final = tenants_dir / staged_path.name
    os.link(staged_path, final)
    return final


def replace(
    tenants_dir: Path, slug: str, data_dir: Path, edit: dict[str, str | bool | list[str] | None]
) -> TenantDeclaration:
    """Set (or, with None, remove) top-level keys of an existing declaration, atomically; returns the
    declaration as it now reads. TenantConfigError when the result would not be valid: the file is
    then left as it was."""
    final = declaration_path(tenants_dir, slug)
    text = final.read_text(encoding="utf-8")
    for key, value in edit.items():
        text = set_key(text, key, value)
    with staged(tenants_dir, slug, text, data_dir) as (path, declaration):
        os.replace(path, final)
    return dataclasses.replace(declaration, source=final)


def read_declaration(tenants_dir: Path, slug: str, data_dir: Path) -> TenantDeclaration:
    """The declaration of ``slug`` alone (not the whole directory): TenantConfigError if missing."""
    path = declaration_path(tenants_dir, slug)
    if not path.is_file():
        raise TenantConfigError(path, "", f"no tenant '{slug}' is declared")
    return load_declaration(path, data_dir)
