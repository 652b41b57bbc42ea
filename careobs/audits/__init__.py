"""Audits of any kind (care plans, medicines records, the environment) on audit templates."""
