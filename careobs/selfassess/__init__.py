"""Self-assessments and mock inspections of a service against CQC's quality statements."""
