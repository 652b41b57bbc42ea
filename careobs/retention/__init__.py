"""Retention: how long each type of record is kept, and the purge that removes what is past it."""
