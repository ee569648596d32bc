"""The plugin's tables, in every tenant database that enables it (``pilot-crm migrate``)."""

from __future__ import annotations

from core.plugin_api import (
    JSON,
    Boolean,
    Contact,
    Date,
    ForeignKey,
    Integer,
    Organization,
    PluginTable,
    RecordColumns,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)


class Activity(RecordColumns, PluginTable, tablename="engagement_activity"):
    """A training, workshop, constructive dialogue, preparation day or course cohort: what it is
    for, when and how it is held, and who may apply to it. Lists of values (languages, sectors,
    issue areas, reading materials) are JSON arrays; countries are a text of ISO codes, searchable."""

    id: Serial
    kind = Varchar(length=32, index=True)
    title = Varchar(length=300, index=True)
    objectives = Text(default="")
    format = Varchar(length=32)
    # Instants with their offset, and the zone they are shown in, as core's meetings store them.
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    timezone = Varchar(length=64, default="")
    registration_deadline = Timestamptz(null=True, default=None)
    languages = JSON(default="[]")
    capacity = Integer(null=True, default=None)
    region = Varchar(length=120, default="")
    eligible_countries = Varchar(length=2000, default="")
    eligible_sectors = JSON(default="[]")
    issue_areas = JSON(default="[]")
    priority_review_group = Integer(null=True, default=None)
    # The countries of the priority review group (ISO alpha-3, as ``eligible_countries``): their
    # applicants get the review group's points in the selection score.
    priority_countries = Varchar(length=2000, default="")
    youth_share_target = Integer(null=True, default=None)
    reading_materials = Text(default="")
    status = Varchar(length=16, index=True, default="draft")
    extra = JSON(default="{}")
    # The completion rule for certificates: the share of held sessions attended (percent), and
    # whether the self-assessment after the activity must be submitted.
    completion_attendance = Integer(default=80)
    completion_requires_post = Boolean(default=True)


# ---------------------------------------------------------------------------------------------
# Part 2–3: applications to an activity's call, and their review.


class Application(RecordColumns, PluginTable, tablename="engagement_application"):
    """One person's application to one activity's call: what they submitted (a copy, as they wrote
    it), the contact and organization it was matched to or created as, the eligibility check and
    priority score computed from the activity's rules, and the review's decision.

    One application per email and activity (``email`` is stored normalized, lower-cased): a second
    submission before the deadline updates this row. ``status`` is one of ``submitted``,
    ``selected``, ``waitlisted``, ``rejected``, ``offered`` (a waitlisted person offered a freed
    place), ``declined`` (a selected person gave the place back), ``withdrawn``."""

    id: Serial
    activity = ForeignKey(references=Activity, index=True)
    contact = ForeignKey(references=Contact, null=True, index=True)
    organization = ForeignKey(references=Organization, null=True, index=True)
    email = Varchar(length=254, index=True)
    first_name = Varchar(length=120, default="")
    last_name = Varchar(length=120, default="")
    gender = Varchar(length=32, default="")
    birth_year = Integer(null=True, default=None)
    country = Varchar(length=3, default="")
    language = Varchar(length=8, default="")
    job_title = Varchar(length=200, default="")
    phone = Varchar(length=40, default="")
    organization_name = Varchar(length=300, default="")
    organization_sector = Varchar(length=32, default="")
    organization_country = Varchar(length=3, default="")
    # The eligibility questions' answers (issue areas of interest, based in the region…), by key.
    answers = JSON(default="{}")
    motivation = Text(default="")
    consent_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    # The checks of the mandatory criteria: [{"criterion": key, "passed": bool, "reason": msgid,
    # "params": {...}}], translated when shown; ``eligible`` is their conjunction.
    eligibility = JSON(default="[]")
    eligible = Boolean(default=False, index=True)
    score = Integer(default=0, index=True)
    status = Varchar(length=16, default="submitted", index=True)
    decision_reason = Text(default="")
    decided_at = Timestamptz(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    # When the decision mail left (None: not yet sent, or the last send failed).
    notified_at = Timestamptz(null=True, default=None)
    # Where the application came from: ``public`` (the call's form), ``import``, ``coordinator``.
    source = Varchar(length=16, default="public")
    # SHA-256 of the applicant's personal link (decline a place, accept an offered one): the link
    # itself is only ever in their mail.
    link_hash = Varchar(length=64, null=True, default=None, unique=True)
    extra = JSON(default="{}")


class Reviewer(PluginTable, tablename="engagement_reviewer"):
    """A member of the tenant given the reviewer role for calls: besides coordinators, who always
    review, they see the review queue and decide on applications. ``member`` is the account's id."""

    id: Serial
    member = Integer(unique=True)
    granted_at = Timestamptz()
    granted_by = Integer(null=True, default=None)


# ---------------------------------------------------------------------------------------------
# Part 4: delivery.


class Participant(PluginTable, tablename="engagement_participant"):
    """A person taking part in an activity: created when an application is selected (``application``
    set) or when completions are imported from an e-learning platform (``source`` ``import``),
    or added by a coordinator. One row per contact and activity."""

    id: Serial
    activity = ForeignKey(references=Activity, index=True)
    contact = ForeignKey(references=Contact, index=True)
    application = ForeignKey(references=Application, null=True, index=True)
    group = Integer(null=True, default=None, index=True)  # an engagement_group id (breakout)
    source = Varchar(length=16, default="selection")
    # Set by an import of completions (the platform says the course was completed on that day).
    completed_on = Date(null=True, default=None)
    # SHA-256 of the participant's personal link (self-assessment, dialogue inputs), mailed to them.
    link_hash = Varchar(length=64, null=True, default=None, unique=True)
    created_at = Timestamptz()


class Session(RecordColumns, PluginTable, tablename="engagement_session"):
    """One part of an activity's programme: a ``plenary``, a ``breakout`` or a ``self_paced``
    module, with its times (self-paced modules may have none) and its materials (``title | url``
    lines, as the activity's reading materials)."""

    id: Serial
    activity = ForeignKey(references=Activity, index=True)
    kind = Varchar(length=16, default="plenary")
    title = Varchar(length=300)
    starts_at = Timestamptz(null=True, default=None)
    ends_at = Timestamptz(null=True, default=None)
    position = Integer(default=0)
    materials = Text(default="")
    extra = JSON(default="{}")


class BreakoutGroup(PluginTable, tablename="engagement_group"):
    """A breakout group of an activity; participants point at it (``Participant.group``)."""

    id: Serial
    activity = ForeignKey(references=Activity, index=True)
    name = Varchar(length=120)
    position = Integer(default=0)


class Attendance(PluginTable, tablename="engagement_attendance"):
    """Whether a participant attended a session: ``present``, ``absent`` or ``excused``. One row
    per session and participant (unique together, enforced by the service and an index)."""

    id: Serial
    session = ForeignKey(references=Session, index=True)
    participant = ForeignKey(references=Participant, index=True)
    status = Varchar(length=16, default="present")
    recorded_at = Timestamptz()
    recorded_by = Integer(null=True, default=None)


class Question(PluginTable, tablename="engagement_question"):
    """A scored question of an activity's self-assessment, asked before and after: the text, the
    options (a JSON list of strings) and the index of the correct one."""

    id: Serial
    activity = ForeignKey(references=Activity, index=True)
    position = Integer(default=0)
    text = Text()
    options = JSON(default="[]")
    correct = Integer(default=0)


class Response(PluginTable, tablename="engagement_response"):
    """A participant's answers to the self-assessment, ``pre`` or ``post`` (one each): the chosen
    option per question id, and the score in percent of questions answered correctly."""

    id: Serial
    participant = ForeignKey(references=Participant, index=True)
    phase = Varchar(length=8)
    answers = JSON(default="{}")
    score = Integer(default=0)
    submitted_at = Timestamptz()


# ---------------------------------------------------------------------------------------------
# Part 5: certificates.


class Certificate(PluginTable, tablename="engagement_certificate"):
    """A certificate of completion: issued by the activity's completion rule or imported from an
    e-learning platform. ``code`` is what the public verification page looks up (unguessable);
    ``holder_name`` and ``activity_title`` are what it shows, kept as issued. Revocation keeps the
    row (the page then says revoked) and is audited."""

    id: Serial
    code = Varchar(length=32, unique=True)
    activity = ForeignKey(references=Activity, null=True, index=True)
    participant = ForeignKey(references=Participant, null=True, index=True)
    contact = ForeignKey(references=Contact, index=True)
    holder_name = Varchar(length=250)
    activity_title = Varchar(length=300)
    completed_on = Date()
    language = Varchar(length=8, default="en")
    source = Varchar(length=16, default="completion")
    # For imported certificates: the platform's name and its own certificate id.
    platform = Varchar(length=120, default="")
    external_id = Varchar(length=120, default="")
    issued_at = Timestamptz()
    issued_by = Integer(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = Integer(null=True, default=None)
    revocation_reason = Text(default="")


# ---------------------------------------------------------------------------------------------
# Part 6: constructive dialogues' inputs.


class DialogueInput(RecordColumns, PluginTable, tablename="engagement_input"):
    """A stakeholder's input to a constructive dialogue (or its preparation day), before or during
    it: the working group's topic it speaks to, the author and their organization, the text and its
    language. Moderators tag it and move it through ``received``, ``merged`` (into another input,
    ``merged_into``) and ``included`` (in the summary)."""

    id: Serial
    activity = ForeignKey(references=Activity, index=True)
    topic = Varchar(length=64, index=True)
    contact = ForeignKey(references=Contact, null=True, index=True)
    organization = ForeignKey(references=Organization, null=True, index=True)
    author_name = Varchar(length=250, default="")
    organization_name = Varchar(length=300, default="")
    text = Text()
    language = Varchar(length=8, default="en")
    tags = JSON(default="[]")
    status = Varchar(length=16, default="received", index=True)
    merged_into = Integer(null=True, default=None)
    submitted_at = Timestamptz()
    extra = JSON(default="{}")
