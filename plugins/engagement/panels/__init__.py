"""What the plugin shows outside its own pages: the application funnel on the dashboard and on an
activity's page, a person's and an organization's engagement on their pages, and its exports (an
activity's applications as a file, columns of the contacts' export)."""
