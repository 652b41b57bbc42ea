"""The capture core: what every kind of record captured offline shares."""
