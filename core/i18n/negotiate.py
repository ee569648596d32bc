"""Choose the locale of a request: the member's saved preference and Accept-Language (which comes
first depends on the surface), else the tenant default."""

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


def negotiate(accept_language: str | None, allowed: tuple[str, ...]) -> str | None:
    """The best of ``allowed`` for an Accept-Language header, or None when it names none of them."""
    preferred = parse_accept_language(accept_language)
    # Also offer the bare language of each tag, so "fr-CA" matches an allowed "fr".
    candidates = [*preferred, *(tag.split("-")[0] for tag in preferred)]
    return negotiate_locale(candidates, list(allowed), sep="-")


def choose_locale(
    user_locale: str | None,
    accept_language: str | None,
    allowed: tuple[str, ...],
    default: str,
    *,
    header_first: bool = False,
) -> str:
    """The first of the member's saved locale and the negotiated header that the tenant offers, else
    its default. ``header_first`` (API requests): a client that states a language in the request gets
    it over the saved one, as an API's caller chooses per request; pages follow the saved choice."""
    negotiated = negotiate(accept_language, allowed)
    saved = user_locale if user_locale in allowed else None
    order = (negotiated, saved) if header_first else (saved, negotiated)
    return next((locale for locale in order if locale), default)
