"""Reports: what a pilot sends out as it is (the roadmap report, page and PDF), and figures across
tenants that hold no personal data (the programme's own reporting)."""
