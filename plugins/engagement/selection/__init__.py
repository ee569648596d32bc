"""Selection of applicants: eligibility against an activity's mandatory criteria, a priority score
from its rules, the review queue, decisions in bulk, decision mails and the waitlist."""
