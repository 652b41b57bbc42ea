"""Reading monitoring visits: who may see which is decided in careobs.permissions.visits.

These are its old names, kept while careobs/spotchecks/views.py (the visit page, which also
takes addenda) still imports them.
"""

from careobs.permissions.visits import feedback_released, visible_visits
from careobs.permissions.visits import get_visible_visit as get_visible

__all__ = ["feedback_released", "get_visible", "visible_visits"]
