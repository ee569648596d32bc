"""The public call for applications of an activity: its page and form at the tenant's public
address (no account), the intake that stores one application per email and call, matches the
applicant to the tenant's contacts and organizations, and mails a personal link to the application."""
