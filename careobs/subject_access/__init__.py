"""A care worker's own data (UK GDPR Article 15, the right of access): everything careobs holds
about them, as a ZIP of CSV files and JSON, for them or for an admin answering their request."""
