"""Controlled vocabularies of the domain (values are stable codes; labels are msgids)."""

from __future__ import annotations

from core.forms.fields import Choice
from core.i18n.markers import N_, NP_

GOVERNMENT, NON_GOVERNMENTAL, INTERNATIONAL = "government", "non_governmental", "international"

SIDES = (
    Choice(GOVERNMENT, N_("Government")),
    Choice(NON_GOVERNMENTAL, N_("Non-governmental")),
    Choice(INTERNATIONAL, N_("International")),
)

SECTOR_SIDE = {
    "government_ministry": GOVERNMENT,
    "law_enforcement": GOVERNMENT,
    "prosecution_judiciary": GOVERNMENT,
    "parliament": GOVERNMENT,
    "ngo": NON_GOVERNMENTAL,
    "community_group": NON_GOVERNMENTAL,
    "faith_based": NON_GOVERNMENTAL,
    "trade_union": NON_GOVERNMENTAL,
    "professional_association": NON_GOVERNMENTAL,
    "foundation": NON_GOVERNMENTAL,
    "academia": NON_GOVERNMENTAL,
    "private_company": NON_GOVERNMENTAL,
    "business_association": NON_GOVERNMENTAL,
    "media": NON_GOVERNMENTAL,
    "international_organization": INTERNATIONAL,
    "unodc_office": INTERNATIONAL,
}

SECTORS = (
    Choice("government_ministry", N_("Government ministry")),
    Choice("law_enforcement", N_("Law enforcement")),
    Choice("prosecution_judiciary", N_("Prosecution and judiciary")),
    Choice("parliament", N_("Parliament")),
    Choice("ngo", N_("Non-governmental organization")),
    Choice("community_group", N_("Community group")),
    Choice("faith_based", N_("Faith-based organization")),
    Choice("trade_union", N_("Trade union")),
    Choice("professional_association", N_("Professional association")),
    Choice("foundation", N_("Foundation")),
    Choice("academia", N_("Academia")),
    Choice("private_company", N_("Private company")),
    Choice("business_association", N_("Business association")),
    Choice("media", N_("Media")),
    Choice("international_organization", N_("International organization")),
    Choice("unodc_office", N_("UNODC office")),
)

CONTACT_ROLES = (
    Choice("review_focal_point", N_("Review focal point")),
    Choice("governmental_expert", N_("Governmental expert")),
    Choice("vpi_government_coordinator", N_("VPI government coordinator")),
    Choice("ngo_focal_point", N_("Non-governmental focal point")),
    Choice("unodc_staff", N_("UNODC staff")),
    Choice("donor", N_("Donor")),
)

CONSENT_BASES = (
    Choice("consent", N_("Consent")),
    Choice("legitimate_interest", N_("Legitimate interest")),
    Choice("public_task", N_("Public task")),
    Choice("contract", N_("Contract")),
    Choice("legal_obligation", N_("Legal obligation")),
)

MEETING_TYPES = (
    Choice("preparatory_consultation", N_("Preparatory consultation")),
    Choice("launch", N_("Launch")),
    Choice("national_dialogue", N_("National dialogue")),
    Choice("thematic_session", N_("Thematic session")),
    Choice("training_workshop", N_("Training workshop")),
    Choice("constructive_dialogue", N_("Constructive dialogue")),
    Choice("side_event", N_("Side event")),
    Choice("roadmap_review", N_("Roadmap review")),
)

MEETING_MODES = (
    Choice("in_person", N_("In person")),
    Choice("online", N_("Online")),
    Choice("hybrid", N_("Hybrid")),
)

ATTENDANCE_STATUSES = (
    Choice("invited", N_("Invited")),
    Choice("confirmed", NP_("attendance", "Confirmed")),
    Choice("attended", N_("Attended")),
    Choice("absent", N_("Absent")),
)

ACTION_STATUSES = (
    Choice("proposed", N_("Proposed")),
    Choice("agreed", N_("Agreed")),
    Choice("in_progress", N_("In progress")),
    Choice("blocked", N_("Blocked")),
    Choice("completed", N_("Completed")),
    Choice("discontinued", N_("Discontinued")),
)

TOPIC_CATEGORIES = (
    Choice("instrument", N_("Instrument")),
    Choice("cluster", N_("Thematic cluster")),
    Choice("crime", N_("Crime type")),
    Choice("crosscutting", N_("Cross-cutting theme")),
    Choice("national", N_("National priority")),
)

ROLES = (
    Choice("coordinator", N_("Coordinator")),
    Choice("government", N_("Government participant")),
    Choice("ngo", N_("Non-governmental participant")),
    Choice("observer", N_("Observer")),
)
