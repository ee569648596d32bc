"""The plugin's demo records (``pilot_crm_demo_records``), dated from the day the demo is seeded so
that open calls stay open. Fictitious, and their titles say so: no such activity is planned.

- ``mex``: one national workshop with an open call and a few applications;
- ``demo-ar``: one regional workshop in Arabic with an open call and a few applications;
- ``global`` (the programme's global team): a past regional training for the Americas (applications
  in English, French and Spanish, selection, sessions with breakout groups, attendance, the
  self-assessment before and after, certificates, one of them revoked), an open call, and a
  constructive dialogue after its preparation day, with inputs to its working groups.

Rows other than activities are written straight into the tables, with a random generator seeded
by the tenant's slug (the same demo every time); certificate codes come from ``secrets`` (a code is
what a stranger checks a certificate with). Core runs this only once, when it seeds an empty tenant,
inside the seed's transaction, after core's organizations and contacts exist."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.plugin_api import COORDINATOR, Actor
from plugins.engagement import demo_global
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


def demo_ar_workshop(today: datetime) -> dict[str, object]:
    """The Arabic demo's regional workshop: its call open, in Arabic first."""
    starts = (today + timedelta(days=40)).replace(hour=9, minute=0, second=0, microsecond=0)
    return {
        "kind": "workshop",
        "title": "ورشة عمل إقليمية حول آلية استعراض الاتفاقية (وهمية، للعرض فقط)",
        "objectives": (
            "تعريف منظمات المجتمع المدني والأوساط الأكاديمية والقطاع الخاص بآلية استعراض تنفيذ "
            "الاتفاقية وبروتوكولاتها. نشاط وهمي لأغراض العرض فقط."
        ),
        "format": "online_synchronous",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(days=1, hours=6)).isoformat(),
        "timezone": "Asia/Amman",
        "registration_deadline": (starts - timedelta(days=21)).replace(hour=23, minute=59).isoformat(),
        "languages": ["ar", "en", "fr"],
        "capacity": 30,
        "region": "الأردن",
        "eligible_countries": "JOR",
        "eligible_sectors": ["ngo", "community_group", "academia", "private_company"],
        "issue_areas": ["TIP", "SOM"],
        "status": "call_open",
    }


TENANTS = ("mex", "global", "demo-ar")


async def write(tenant: str) -> None:
    if tenant == "mex":
        workshop = await ActivityService(PROGRAMME).create(mex_workshop(datetime.now(ZoneInfo(TIMEZONE))))
        people = await demo_global.applicants(random.Random(tenant), 6)
        await demo_global.apply(random.Random(tenant), workshop, people, statuses=("submitted",))
    elif tenant == "global":
        await demo_global.write(PROGRAMME)
    elif tenant == "demo-ar":
        workshop = await ActivityService(PROGRAMME).create(
            demo_ar_workshop(datetime.now(ZoneInfo("Asia/Amman")))
        )
        people = await demo_global.applicants(random.Random(tenant), 4)
        await demo_global.apply(random.Random(tenant), workshop, people, statuses=("submitted",))
