"""Who may see and do what in careobs: every access rule, in one package.

How to answer "who can see X?": open the module named after X's kind and read its
``visible_<kind>(user)`` query — the lists, pages, API, dashboards, the evidence pack and sync all
ask that query (or the ``may_<verb>(user, record)`` predicates beside it, which agree with it), and
none filters by role again afterwards. (The organisation data export is everything of one
organisation, for its admins only: ``admin_required``.) The kinds: ``quis`` (QUIS sessions),
``visits`` (monitoring visits and a worker's own page), ``feedback``, ``actions`` (actions and the
re-checks booked from them), ``audits`` (who may complete and plan audits:
champions too), ``selection`` (draws),
``evidence`` (evidence packs), ``compliments`` (the compliments and concerns log),
``dashboards`` (per-service figures), ``org`` (people, staff,
services), ``sync`` (capture rights and the quarantine), ``voice`` (conversations with the
people a draw picked), ``selfassess`` (self-assessments and mock inspections), ``checkers``
(quality checkers: their assignments, and who gives them), ``subject_access`` (who may
download a worker's data, and what the worker's own copy leaves out until it is released).
``roles`` holds the vocabulary they are written in (roles per service, page guards such as
``capture_required``). ``audit_records`` says who may read a stored audit; ``coaudits`` who may
send a co-audit (a quality checker only what is assigned to them) and what a checker's phone is
given to do; ``comparisons`` who may see a co-audit beside its staff audit; ``redaction`` who
may remove personal data from a record's text.
tests/permissions/test_matrix.py writes every answer out as a table of role × kind × verb and
checks both this package and the real routes against it.

The rules in brief: nobody ever sees another organisation's data (it is "not found"). Admins see
their whole organisation; managers see everything in their services; supervisors see the QUIS
sessions they observed, the visits they made, the feedback they wrote, and the actions and draws of
their services; a care worker sees only what is about them — a monitoring visit of their practice
(and the actions agreed at it) only once its feedback is released to them, and only their own
released feedback. A quality checker (an expert by experience) gets nothing from any of those
rules: only the co-audits and conversations assigned to them in services where they still hold
that role, and the conversations they recorded (``checkers``, ``voice``).
"""

from careobs.permissions.actions import (
    action_services,
    get_visible_action,
    is_owner,
    may_add_action_note,
    may_book_recheck,
    may_cancel_action,
    may_update_action,
    may_view_action,
    my_actions,
    owned_by,
    visible_actions,
)
from careobs.permissions.addenda import may_add_addendum
from careobs.permissions.audit_records import (
    get_visible_audit,
    may_follow_up_audit,
    may_view_audit,
    visible_audits,
)
from careobs.permissions.audits import (
    audit_access,
    audit_services,
    audits_due_scope,
    championed,
    completable_template_ids,
    is_champion,
    lapsed_reason,
    may_complete_any_audit,
    may_complete_audit,
    may_plan_audits,
    planning_services,
)
from careobs.permissions.checkers import (
    CHECKER_ROLES,
    assigned_draw,
    assignments_in_force,
    checker_may_open,
    conversation_assignment,
    is_quality_checker,
    lapsed_assignment_reason,
    may_ask_co_audit,
    may_assign_checkers,
    may_give_conversation,
    only_a_quality_checker,
    services_checked_by,
)
from careobs.permissions.coaudits import (
    co_audit_refusal,
    is_checker_in,
    may_co_audit,
    may_open_co_audit_form,
    open_co_audit_tasks,
)
from careobs.permissions.comparisons import (
    ComparedPair,
    get_visible_comparison,
    may_follow_up_comparison,
    may_view_comparison,
)
from careobs.permissions.compliments import (
    compliment_services,
    get_visible_compliment,
    may_edit_compliment_sections,
    may_record_compliment,
    may_respond_to_concern,
    may_see_compliment_trends,
    may_view_compliment,
    visible_compliments,
)
from careobs.permissions.dashboards import dashboard_services
from careobs.permissions.evidence import evidence_services, may_make_evidence_pack
from careobs.permissions.feedback import (
    get_feedback_roles,
    managed_feedback,
    may_acknowledge_feedback,
    may_edit_feedback,
    may_release_feedback,
    may_reply_to_feedback,
    may_view_feedback,
    own_feedback,
    visible_feedback,
)
from careobs.permissions.org import (
    in_organisation,
    manageable_services,
    may_manage_record,
    may_rename_service,
    visible_people,
    visible_staff,
)
from careobs.permissions.quis import (
    get_visible_quis_pair,
    get_visible_quis_session,
    joinable_quis_pairs,
    linkable_quis_pairs,
    may_link_quis_session,
    may_view_quis_session,
    may_write_quis_feedback,
    observable_services,
    visible_quis_pairs,
    visible_quis_sessions,
)
from careobs.permissions.redaction import is_final, may_manage_redaction, may_redact
from careobs.permissions.roles import (
    ANY_ROLE,
    MANAGE,
    WORK,
    admin_area_required,
    admin_required,
    can_administer,
    can_capture,
    can_manage_service,
    can_work_in_service,
    capture_required,
    has_role,
    in_query,
    is_org_admin,
    require,
    roles_by_service,
    service_ids_select,
    services_select,
)
from careobs.permissions.selection import (
    get_visible_draw,
    may_draw_in,
    may_view_draw,
    visible_draws,
)
from careobs.permissions.selfassess import (
    assessable,
    assessment_refusal,
    get_visible_self_assessment,
    may_assess_any,
    may_raise_gap_actions,
    may_view_self_assessment,
    self_assessment_reach,
    visible_self_assessments,
)
from careobs.permissions.staff import own_staff_ids
from careobs.permissions.sync import (
    capture_services,
    may_capture_in,
    may_review_quarantined,
    visible_quarantine,
)
from careobs.permissions.visits import (
    feedback_released,
    get_visible_visit,
    may_follow_up_visit,
    may_view_visit,
    may_view_worker_page,
    sees_unreleased_visits_of,
    visible_visits,
    visits_on_worker_page,
)
from careobs.permissions.voice import (
    get_visible_conversation,
    may_record_conversation,
    may_view_conversation,
    visible_conversations,
)

__all__ = [
    "ANY_ROLE",
    "CHECKER_ROLES",
    "MANAGE",
    "WORK",
    "ComparedPair",
    "action_services",
    "admin_area_required",
    "admin_required",
    "assessable",
    "assessment_refusal",
    "assigned_draw",
    "assignments_in_force",
    "audit_access",
    "audit_services",
    "audits_due_scope",
    "can_administer",
    "can_capture",
    "can_manage_service",
    "can_work_in_service",
    "capture_required",
    "capture_services",
    "championed",
    "checker_may_open",
    "co_audit_refusal",
    "completable_template_ids",
    "compliment_services",
    "conversation_assignment",
    "dashboard_services",
    "evidence_services",
    "feedback_released",
    "get_feedback_roles",
    "get_visible_action",
    "get_visible_audit",
    "get_visible_comparison",
    "get_visible_compliment",
    "get_visible_conversation",
    "get_visible_draw",
    "get_visible_quis_pair",
    "get_visible_quis_session",
    "get_visible_self_assessment",
    "get_visible_visit",
    "has_role",
    "in_organisation",
    "in_query",
    "is_champion",
    "is_checker_in",
    "is_final",
    "is_org_admin",
    "is_owner",
    "is_quality_checker",
    "joinable_quis_pairs",
    "lapsed_assignment_reason",
    "lapsed_reason",
    "linkable_quis_pairs",
    "manageable_services",
    "managed_feedback",
    "may_acknowledge_feedback",
    "may_add_action_note",
    "may_add_addendum",
    "may_ask_co_audit",
    "may_assess_any",
    "may_assign_checkers",
    "may_book_recheck",
    "may_cancel_action",
    "may_capture_in",
    "may_co_audit",
    "may_complete_any_audit",
    "may_complete_audit",
    "may_draw_in",
    "may_edit_compliment_sections",
    "may_edit_feedback",
    "may_follow_up_audit",
    "may_follow_up_comparison",
    "may_follow_up_visit",
    "may_give_conversation",
    "may_link_quis_session",
    "may_make_evidence_pack",
    "may_manage_record",
    "may_manage_redaction",
    "may_open_co_audit_form",
    "may_plan_audits",
    "may_raise_gap_actions",
    "may_record_compliment",
    "may_record_conversation",
    "may_redact",
    "may_release_feedback",
    "may_rename_service",
    "may_reply_to_feedback",
    "may_respond_to_concern",
    "may_review_quarantined",
    "may_see_compliment_trends",
    "may_update_action",
    "may_view_action",
    "may_view_audit",
    "may_view_comparison",
    "may_view_compliment",
    "may_view_conversation",
    "may_view_draw",
    "may_view_feedback",
    "may_view_quis_session",
    "may_view_self_assessment",
    "may_view_visit",
    "may_view_worker_page",
    "may_write_quis_feedback",
    "my_actions",
    "observable_services",
    "only_a_quality_checker",
    "open_co_audit_tasks",
    "own_feedback",
    "own_staff_ids",
    "owned_by",
    "planning_services",
    "require",
    "roles_by_service",
    "sees_unreleased_visits_of",
    "self_assessment_reach",
    "service_ids_select",
    "services_checked_by",
    "services_select",
    "visible_actions",
    "visible_audits",
    "visible_compliments",
    "visible_conversations",
    "visible_draws",
    "visible_feedback",
    "visible_people",
    "visible_quarantine",
    "visible_quis_pairs",
    "visible_quis_sessions",
    "visible_self_assessments",
    "visible_staff",
    "visible_visits",
    "visits_on_worker_page",
]
