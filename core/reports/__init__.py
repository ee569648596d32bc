"""Reports across tenants that hold no personal data (the programme's own reporting)."""
