"""Who may download everything careobs holds about a care worker (UK GDPR Article 15, the right
of access), and what the worker's own download leaves out until it is released.

Every user downloads their own data from their account page. An organisation admin produces the
same for any member of staff or user of their organisation (a worker without a login too): the
admin answers a subject access request for the organisation, the data controller. Managers do
not: the copy holds the worker's login history and audit log events, which only admins see (the
audit log is theirs), and one place answering requests keeps them consistent and on record.
Another organisation's worker is "not found".

The worker's own copy follows the rules the app already shows them by (careobs.permissions
.feedback, .visits, .audit_records, .actions): what a supervisor is still writing or has not
yet released stays out until it is; the admin's copy is complete, each row with its status.
"""

from __future__ import annotations

import sqlalchemy as sa

from careobs.actions.models import Action, RecheckBooking
from careobs.audits.models import Audit
from careobs.compliments.models import Compliment
from careobs.feedback.models import Feedback
from careobs.permissions.roles import is_org_admin
from careobs.permissions.visits import feedback_released
from careobs.quis.models import QuisInteraction
from careobs.visits.models import MonitoringVisit


def may_download_own_data(user) -> bool:
    """Anyone logged in may download what careobs holds about them."""
    return user.is_authenticated


def may_produce_for_others(user) -> bool:
    """Producing a worker's copy for them: organisation admins only (see the module docstring)."""
    return is_org_admin(user)


def in_organisation_of(user, record) -> bool:
    """Whether the staff member or user is in the admin's organisation (otherwise: 404)."""
    return record.organisation_id == user.organisation_id


def shown_feedback() -> sa.ColumnElement[bool]:
    """Feedback in the worker's own copy: released to them."""
    return Feedback.status == "released"


def shown_visit(visit=MonitoringVisit) -> sa.ColumnElement[bool]:
    """A visit of their practice in the worker's own copy: submitted, its feedback released."""
    return sa.and_(visit.status == "submitted", feedback_released(visit))


def shown_audit() -> sa.ColumnElement[bool]:
    """An audit of their practice in the worker's own copy: submitted (a submitted audit is
    final, and the worker reads it in the app)."""
    return Audit.status == "submitted"


def shown_interaction() -> sa.ColumnElement[bool]:
    """A QUIS interaction naming them in the worker's own copy: its session's feedback to them is
    released (the observation itself is the observer's record until then)."""
    return sa.exists().where(
        Feedback.quis_session_id == QuisInteraction.session_id,
        Feedback.staff_id == QuisInteraction.staff_id,
        Feedback.status == "released",
    )


def unreleased_visits(staff_ids: list[int]) -> sa.Select:
    """Their visits still held back from them (not submitted, or feedback not released)."""
    return sa.select(MonitoringVisit.id).where(
        MonitoringVisit.staff_id.in_(staff_ids), ~shown_visit()
    )


def shown_action(staff_ids: list[int]) -> sa.ColumnElement[bool]:
    """An action they own in the worker's own copy: not agreed at a visit of their practice still
    held back (as their "my actions" list, careobs.permissions.actions)."""
    return sa.or_(Action.visit_id.is_(None), Action.visit_id.not_in(unreleased_visits(staff_ids)))


def shown_recheck(staff_ids: list[int]) -> sa.ColumnElement[bool]:
    """A re-check booked for them in the worker's own copy: not one a held-back red visit booked
    (it would tell them the visit's band early)."""
    return sa.or_(
        RecheckBooking.after_visit_id.is_(None),
        RecheckBooking.after_visit_id.not_in(unreleased_visits(staff_ids)),
    )


def shown_compliment(staff_ids: list[int]) -> sa.ColumnElement[bool]:
    """A compliment naming them in the worker's own copy: its feedback to them is released (a
    concern is not fed back that way, so it is in the complete copy only)."""
    return sa.exists().where(
        Feedback.compliment_id == Compliment.id,
        Feedback.staff_id.in_(staff_ids),
        Feedback.status == "released",
    )
