"""The organisation data export: every record of one organisation as CSV or JSON Lines files."""
