"""Choose the locale of a request: user preference, else Accept-Language, else the tenant default."""

from __future__ import annotations

from babel.core import negotiate_locale


def parse_accept_language(header: str | None) -> list[str]:
    """``"es-MX,es;q=0.9,en;q=0.5"`` → ``["es-MX", "es", "en"]`` ordered by quality."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def choose_locale(
    user_locale: str | None, accept_language: str | None, allowed: tuple[str, ...], default: str
) -> str:
    if user_locale and user_locale in allowed:
        return user_locale
    preferred = parse_accept_language(accept_language)
    # Also offer the bare language of each tag, so "fr-CA" matches an allowed "fr".
    candidates = [*preferred, *(tag.split("-")[0] for tag in preferred)]
    chosen = negotiate_locale(candidates, list(allowed), sep="-")
    return chosen or default
