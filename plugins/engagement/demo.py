"""The plugin's demo records (``pilot_crm_demo_records``): for ``mex``, one national workshop with
an open call, dated from the day the demo is seeded so its call is always open. Fictitious, and
its title says so: no such workshop is planned."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.plugin_api import COORDINATOR, Actor
from plugins.engagement.service import ActivityService

# The demo's coordinator: no account of its own (the seed writes as the programme, not as a person).
PROGRAMME = Actor(user_id=None, email="", role=COORDINATOR)
TIMEZONE = "America/Mexico_City"


def mex_workshop(today: datetime) -> dict[str, object]:
    starts = (today + timedelta(days=45)).replace(hour=9, minute=0, second=0, microsecond=0)
    return {
        "kind": "workshop",
        "title": "Taller nacional sobre el Mecanismo de Examen de la UNTOC (ficticio, de demostración)",
        "objectives": (
            "Dar a conocer el Mecanismo de Examen de la Convención y sus Protocolos a organizaciones "
            "de la sociedad civil, la academia y el sector privado, y preparar su participación en el "
            "diálogo constructivo. Actividad ficticia, solo para demostración."
        ),
        "format": "dual",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(days=2, hours=8)).isoformat(),
        "timezone": TIMEZONE,
        "registration_deadline": (starts - timedelta(days=21)).replace(hour=23, minute=59).isoformat(),
        "languages": ["es"],
        "capacity": 40,
        "region": "México",
        "eligible_countries": "MEX",
        "eligible_sectors": ["ngo", "community_group", "academia", "private_company"],
        "issue_areas": ["TIP", "SOM", "FIREARMS"],
        "priority_review_group": 1,
        "youth_share_target": 30,
        "reading_materials": (
            "Caja de herramientas de participación (ejemplo) | https://example.org/toolkit\n"
            "Portal SHERLOC (ejemplo) | https://example.org/sherloc"
        ),
        "status": "call_open",
    }


TENANTS = ("mex",)


async def write(tenant: str) -> None:
    if tenant == "mex":
        await ActivityService(PROGRAMME).create(mex_workshop(datetime.now(ZoneInfo(TIMEZONE))))
