"""careobs: QUIS observations, homecare monitoring visits and feedback for adult social care."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from flask import Flask, g

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Where ``templates``, ``static`` or ``migrations`` live.

    In a built wheel they ship inside the package; in a checkout they sit at the repository root.
    """
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def create_app(config: dict | None = None) -> Flask:
    """Build the careobs application; ``config`` overrides what the environment says."""
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
        instance_path=os.environ.get("CAREOBS_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    configure(app, config or {})
    register_extensions(app)
    register_blueprints(app)
    register_capture()
    register_template_helpers(app)
    register_commands(app)
    trust_the_proxy(app)
    if not app.testing:
        # Everything built so far (modules, the schema, routes) lives as long as the process:
        # keep it out of the cyclic garbage collector's full passes, which otherwise rescan it
        # every few requests and add ~90 ms to one report request in fifteen (bench/).
        gc.freeze()
    return app


def configure(app: Flask, overrides: dict) -> None:
    """Environment first, explicit overrides last, then refuse unsafe production settings."""
    from careobs import config

    app.config.from_mapping(config.from_environment(Path(app.instance_path), overrides))
    app.config.from_mapping(overrides)
    config.check(app.config)


def trust_the_proxy(app: Flask) -> None:
    """Behind a reverse proxy, the client's address and scheme come from its X-Forwarded headers
    (outermost, so that every part of the app, static files included, sees them)."""
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)


def register_extensions(app: Flask) -> None:
    """Database, CSRF, login sessions, security headers, error pages, compressed responses and
    content-hashed static files."""
    from careobs import assets, db, errors, security
    from careobs import csrf as csrf_masking
    from careobs.accounts import session as login_sessions
    from careobs.extensions import compress, csrf

    # after_request functions run last registered first. Compression is registered first, so it
    # runs last, on the page every other one finished (and tags its ETag with the encoding);
    # masking the CSRF token just before it, after the capture pages' ETag is taken.
    compress.init_app(app)
    csrf_masking.init_app(app)
    assets.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    login_sessions.init_app(app)
    security.init_app(app)
    errors.init_app(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per capability."""
    from careobs.accounts.admin_views import bp as users_bp
    from careobs.accounts.views import bp as accounts_bp
    from careobs.actions.views import bp as actions_bp
    from careobs.api.views import bp as api_bp
    from careobs.audit.views import bp as audit_bp
    from careobs.audits.admin_views import bp as audit_plans_bp
    from careobs.audits.views import bp as audits_bp
    from careobs.checkers.views import bp as checkers_bp
    from careobs.checklists.views import bp as checklists_bp
    from careobs.coaudits.views import api_bp as coaudits_api_bp
    from careobs.coaudits.views import bp as coaudits_bp
    from careobs.compliments.section_views import bp as compliment_sections_bp
    from careobs.compliments.views import bp as compliments_bp
    from careobs.dashboards.views import api_bp as dashboards_api_bp
    from careobs.dashboards.views import bp as dashboards_bp
    from careobs.evidence.views import bp as evidence_bp
    from careobs.export.views import bp as export_bp
    from careobs.feedback.views import bp as feedback_bp
    from careobs.home.views import bp as home_bp
    from careobs.notifications.views import bp as notifications_bp
    from careobs.org.people_views import bp as people_bp
    from careobs.org.settings_views import bp as settings_bp
    from careobs.org.staff_views import bp as staff_bp
    from careobs.org.views import bp as services_bp
    from careobs.push.views import bp as push_bp
    from careobs.pwa.views import bp as pwa_bp
    from careobs.quis.pair_views import api_bp as quis_pairs_api_bp
    from careobs.quis.pair_views import bp as quis_pairs_bp
    from careobs.quis.views import bp as quis_bp
    from careobs.redaction.views import bp as redaction_bp
    from careobs.retention.views import bp as retention_bp
    from careobs.selection.views import bp as selection_bp
    from careobs.selfassess.api import api_bp as self_assessments_api_bp
    from careobs.selfassess.record_views import api_bp as self_assessment_suggestions_api_bp
    from careobs.selfassess.record_views import bp as self_assessment_capture_bp
    from careobs.selfassess.views import bp as self_assessments_bp
    from careobs.source import bp as source_bp
    from careobs.subject_access.views import bp as subject_access_bp
    from careobs.sync.views import bp as quarantine_bp
    from careobs.visits.views import bp as visits_bp
    from careobs.voice.views import bp as voice_bp

    for blueprint in (
        home_bp,
        accounts_bp,
        users_bp,
        services_bp,
        people_bp,
        staff_bp,
        audit_bp,
        export_bp,
        api_bp,
        pwa_bp,
        quis_bp,
        quis_pairs_bp,
        quis_pairs_api_bp,
        quarantine_bp,
        checklists_bp,
        settings_bp,
        visits_bp,
        audits_bp,
        feedback_bp,
        actions_bp,
        notifications_bp,
        push_bp,
        dashboards_bp,
        dashboards_api_bp,
        selection_bp,
        evidence_bp,
        audit_plans_bp,
        compliments_bp,
        compliment_sections_bp,
        voice_bp,
        checkers_bp,
        coaudits_bp,
        coaudits_api_bp,
        self_assessment_capture_bp,
        self_assessment_suggestions_api_bp,
        self_assessments_bp,
        self_assessments_api_bp,
        source_bp,
        subject_access_bp,
        retention_bp,
        redaction_bp,
    ):
        app.register_blueprint(blueprint)


def register_capture() -> None:
    """The kinds of record devices send, and what follows each submission, in this order.

    Receivers run in the order listed, inside the submission's transaction. Registering and
    connecting again (one app per test) changes nothing.
    """
    from careobs.actions import service as actions
    from careobs.audits import service as audits
    from careobs.capture import events, kinds
    from careobs.feedback import service as feedback
    from careobs.notifications import service as notifications
    from careobs.quis import service as quis
    from careobs.selfassess import service as selfassess
    from careobs.visits import service as visits
    from careobs.voice import service as voice

    kinds.register(quis.KIND)
    kinds.register(visits.KIND)
    kinds.register(audits.KIND)
    kinds.register(voice.KIND)
    kinds.register(selfassess.KIND)
    for kind_name, receivers in (
        (quis.KIND_NAME, (feedback.after_quis_submitted, notifications.alert_after_quis)),
        (
            visits.KIND_NAME,
            (
                feedback.after_visit_submitted,
                actions.after_visit_submitted,  # re-checks fulfilled, booked after red, actions
                notifications.alert_after_visit,
            ),
        ),
        (audits.KIND_NAME, (actions.after_audit_submitted,)),
        (voice.KIND_NAME, (voice.after_conversation_submitted,)),
    ):
        for receiver in receivers:
            events.subscribe(events.record_submitted, kind_name, receiver)


def register_commands(app: Flask) -> None:
    """The ``careobs`` CLI commands (init, demo, db, user)."""
    from careobs.cli import register_commands as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Values every template may use: the navigation and the app version."""
    from flask_login import current_user

    from careobs import wording
    from careobs.dashboards.tables import heat_level
    from careobs.db import get_session
    from careobs.home.navigation import navigation_for
    from careobs.notifications.service import unread_count
    from careobs.org.settings import time_zone
    from careobs.push.delivery import deliver_after_response
    from careobs.source import source_url

    @app.context_processor
    def inject_navigation():
        def bell_count() -> int:
            return unread_count(get_session(), current_user) if current_user.is_authenticated else 0

        return {
            "navigation_for": navigation_for,
            "careobs_version": __version__,
            "source_url": source_url,
            "bell_count": bell_count,
        }

    app.jinja_env.globals["heat_level"] = heat_level
    # {{ n|plural("visit", "visits") }} → "1 visit"; {{ minutes|duration }} → "9 seconds".
    app.jinja_env.filters["plural"] = wording.plural
    app.jinja_env.filters["duration"] = wording.duration_text
    app.jinja_env.filters["with_article"] = wording.with_article

    @app.template_filter("localtime")
    def localtime(instant, pattern: str = "%-d %b %Y, %H:%M") -> str:
        """An aware datetime on the organisation's clock, e.g. "27 Nov 2026, 14:05"."""
        # Looked up once per request: a list page formats a time on every row.
        if "org_zone" not in g:
            g.org_zone = time_zone(get_session(), current_user.organisation_id)
        return instant.astimezone(g.org_zone).strftime(pattern)

    @app.template_filter("localdate")
    def localdate(instant) -> str:
        """The day of an aware datetime on the organisation's clock, e.g. "27 Nov 2026"."""
        return localtime(instant, "%-d %b %Y")

    app.after_request(deliver_after_response)
