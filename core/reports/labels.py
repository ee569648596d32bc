"""The report's words (msgids), shared by its page and its PDF so both say the same thing."""

from core.forms.vocabulary import GOVERNMENT, NON_GOVERNMENTAL
from core.i18n.markers import N_

TITLE = N_("Roadmap report")
GENERATED = N_("Generated on {date}")
SUMMARY = N_("{label}: {value}")
ACTIONS = N_("Joint actions")
OVERDUE = N_("Overdue")
OVERDUE_ACTIONS = N_("Overdue joint actions")
NONE_OVERDUE = N_("No joint action is overdue.")
NO_ACTIONS = N_("No joint actions yet.")
NATIONAL_PRIORITY = N_("National priority")
NO_TOPIC = N_("No topic")
STATUS = N_("Status")
LEAD = N_("Government lead")
PARTNERS = N_("Non-governmental partners")
DUE = N_("Due date")
TOPICS = N_("Topics")
CONFIRMED_BY = N_("Confirmed by {who} on {date}")
NOT_CONFIRMED = N_("Not confirmed yet")
PROGRESS = N_("Progress")
NO_PROGRESS = N_("No progress updates yet.")
DOWNLOAD = N_("Download the PDF")
SIDES = ((GOVERNMENT, N_("Government side")), (NON_GOVERNMENTAL, N_("Non-governmental side")))
