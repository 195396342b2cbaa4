"""Open data: every fact on the site as JSON and CSV, described by Frictionless, DCAT-AP and Popolo."""
