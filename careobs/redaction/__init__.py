"""Redaction: a manager removes personal data that slipped into the free text of a submitted
record, everywhere careobs holds it, and the audit log says who did it, where and why."""
