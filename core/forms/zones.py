"""Time zones: the IANA database as the running Python knows it (``zoneinfo``), what a time zone field
accepts, and the zones a form offers, grouped by region, each named by its city in the reader's
language (CLDR's exemplar cities, through Babel)."""

from __future__ import annotations

import zoneinfo
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone, get_timezone_location

from core.i18n.markers import N_
from core.records.search import fold

# The regions of the database's canonical names, as a form groups them (msgids of the group labels).
REGIONS: dict[str, str] = {
    "Africa": N_("Africa"),
    "America": N_("Americas"),
    "Antarctica": N_("Antarctica"),
    "Arctic": N_("Arctic"),
    "Asia": N_("Asia"),
    "Atlantic": N_("Atlantic Ocean"),
    "Australia": N_("Australia"),
    "Europe": N_("Europe"),
    "Indian": N_("Indian Ocean"),
    "Pacific": N_("Pacific Ocean"),
}
UNIVERSAL = "UTC"
# Names the database lists that are no place's time: the host's own setting, and a placeholder.
NOT_ZONES = frozenset({"localtime", "Factory"})


@cache
def zone_names() -> frozenset[str]:
    """Every zone a time zone field accepts (legacy aliases such as ``US/Pacific`` included, so
    records saved with them stay valid)."""
    return frozenset(zoneinfo.available_timezones()) - NOT_ZONES


def is_zone(name: str) -> bool:
    return name in zone_names()


def region_of(name: str) -> str | None:
    region = name.split("/", 1)[0]
    return region if "/" in name and region in REGIONS else None


def _city(name: str, locale: str) -> str:
    try:
        return str(get_timezone_location(get_timezone(name), locale=Locale.parse(locale), return_city=True))
    except (LookupError, UnknownLocaleError, ValueError):
        return name.rsplit("/", 1)[-1].replace("_", " ")


@cache
def zone_groups(locale: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """``((region msgid, ((zone, label), …)), …)``: UTC first, then each region's zones by their
    city's name in ``locale`` (the label is "City (Region/Zone_name)": two names may share a city)."""
    by_region: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    for name in zone_names():
        if (region := region_of(name)) is not None:
            by_region[region].append((name, f"{_city(name, locale)} ({name})"))
    groups: list[tuple[str, tuple[tuple[str, str], ...]]] = [
        (N_("Universal time"), ((UNIVERSAL, UNIVERSAL),))
    ]
    for region, zones in by_region.items():
        groups.append((REGIONS[region], tuple(sorted(zones, key=lambda zone: (fold(zone[1]), zone[0])))))
    return tuple(groups)
