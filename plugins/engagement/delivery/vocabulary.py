"""The choices of delivery: kinds of session, attendance marks and the self-assessment's phases."""

from __future__ import annotations

from core.plugin_api import N_, Choice

SESSION_KINDS = (
    Choice("plenary", N_("Plenary")),
    Choice("breakout", N_("Breakout")),
    Choice("self_paced", N_("Self-paced module")),
)
SELF_PACED = "self_paced"

PRESENT, ABSENT, EXCUSED = "present", "absent", "excused"
ATTENDANCE = (
    Choice(PRESENT, N_("Present")),
    Choice(ABSENT, N_("Absent")),
    Choice(EXCUSED, N_("Excused")),
)

PRE, POST = "pre", "post"
PHASES = (
    Choice(PRE, N_("Before the activity")),
    Choice(POST, N_("After the activity")),
)

MIN_OPTIONS, MAX_OPTIONS = 2, 6
