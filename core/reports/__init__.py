"""Reports a pilot sends out as they are: the roadmap report (page and PDF)."""
