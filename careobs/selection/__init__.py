"""Unbiased selection: seeded, recorded random draws of whom to check next and whom to ask."""
