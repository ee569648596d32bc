"""Install a throwaway plugin for a test: a package written into a folder together with the
distribution metadata that declares its ``pilot_crm.plugins`` entry point, so the app finds it
exactly as it finds an installed plugin (``importlib.metadata``), in this process (the folder is put
on ``sys.path``) or in a subprocess (give it the folder in ``PYTHONPATH``)."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


def write_plugin(root: Path, name: str, files: Mapping[str, str], version: str = "0.1.0") -> Path:
    """Write the package ``pilot_crm_<name>`` (``files``: relative path → text, e.g. ``plugin.py``,
    ``templates/<name>/page.html``) and the distribution ``pilot-crm-<name>`` declaring the entry
    point ``name = pilot_crm_<name>.plugin`` under ``root``; returns ``root``."""
    package = root / f"pilot_crm_{name}"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    for relative, text in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    dist = root / f"pilot_crm_{name}-{version}.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: pilot-crm-{name}\nVersion: {version}\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        f"[pilot_crm.plugins]\n{name} = pilot_crm_{name}.plugin\n", encoding="utf-8"
    )
    return root


@contextmanager
def installed_plugin(root: Path, name: str, files: Mapping[str, str]) -> Iterator[Path]:
    """``write_plugin`` and make it importable in this process for the block's duration."""
    write_plugin(root, name, files)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        package = f"pilot_crm_{name}"
        for module in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[module]
        importlib.invalidate_caches()
