"""Core's own defaults, delivered as a plugin like any other (the shared topic taxonomy, core
catalogs, what core's pickers leave out)."""

from __future__ import annotations

from pathlib import Path

from core.forms.picking import meeting_attendees
from core.hookspecs import hookimpl
from core.i18n.catalogs import core_locale_dir
from core.i18n.markers import N_
from core.plugins.contributions import PickExclusion
from core.topics.specs import TopicSpec

CORE_TOPICS = [
    TopicSpec("UNTOC", N_("United Nations Convention against Transnational Organized Crime"), "instrument"),
    TopicSpec("TIP", N_("Trafficking in persons"), "instrument"),
    TopicSpec("SOM", N_("Smuggling of migrants"), "instrument"),
    TopicSpec("FIREARMS", N_("Firearms"), "instrument"),
    TopicSpec("CL-CRIMINALIZATION", N_("Criminalization and jurisdiction"), "cluster"),
    TopicSpec(
        "CL-PREVENTION", N_("Prevention, technical assistance, protection and other measures"), "cluster"
    ),
    TopicSpec("CL-LAW-ENFORCEMENT", N_("Law enforcement and the judicial system"), "cluster"),
    TopicSpec(
        "CL-COOPERATION", N_("International cooperation, mutual legal assistance and confiscation"), "cluster"
    ),
    TopicSpec("CYBERCRIME", N_("Cybercrime"), "crime"),
    TopicSpec("ENVIRONMENTAL", N_("Crimes that affect the environment"), "crime"),
    TopicSpec("CULTURAL-PROPERTY", N_("Trafficking in cultural property"), "crime"),
    TopicSpec("FALSIFIED-MEDICAL", N_("Falsified medical products"), "crime"),
    TopicSpec("MONEY-LAUNDERING", N_("Money laundering"), "crime"),
    TopicSpec("CORRUPTION", N_("Corruption"), "crime"),
    TopicSpec("DRUGS", N_("Drug trafficking"), "crime"),
    TopicSpec("HUMAN-RIGHTS", N_("Human rights"), "crosscutting"),
    TopicSpec("GENDER", N_("Gender equality"), "crosscutting"),
    TopicSpec("VICTIMS", N_("Victims and witnesses"), "crosscutting"),
    TopicSpec("YOUTH", N_("Youth"), "crosscutting"),
]


@hookimpl
def pilot_crm_topics() -> list[TopicSpec]:
    return CORE_TOPICS


@hookimpl
def pilot_crm_locale_dirs() -> list[Path]:
    return [core_locale_dir()]


@hookimpl
def pilot_crm_pick_exclusions() -> list[PickExclusion]:
    return [PickExclusion("meeting.attendees", "contact", meeting_attendees)]
