"""A user with mixed roles on the phone: Mia Mixed supervises Rosewood House and, at Riverside
Homecare, is a care worker named champion of the care plan audit. The capture pages must offer
her only what the server will accept: QUIS and visits at Rosewood House alone; at Riverside
Homecare the care plan audit alone; at Rosewood House every audit template.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from careobs.accounts import service as accounts
from careobs.accounts.models import User
from careobs.audits import starter
from careobs.audits.schedules import AuditChampion
from careobs.checklists.models import Checklist, ChecklistVersion
from careobs.db import get_session
from careobs.demo import DEMO_PASSWORD
from careobs.org.models import Service
from careobs.security import hash_password

ROSEWOOD = "Rosewood House"
RIVERSIDE = "Riverside Homecare"
EMAIL = "mia.mixed@demo.test"


@pytest.fixture(scope="module")
def mixed(live_server) -> str:
    """Mia's login (an email for ``as_user``); her roles and assignment are taken away after
    the module, so the demo's other pages stay as they were."""
    with live_server.app.app_context():
        db = get_session()
        admin = db.scalar(sa.select(User).where(User.email == "admin@demo.test"))
        org_id = admin.organisation_id
        services = {
            s.name: s
            for s in db.scalars(sa.select(Service).where(Service.organisation_id == org_id))
        }
        user = accounts.create_user(
            db, organisation_id=org_id, email=EMAIL, display_name="Mia Mixed", actor=admin
        )
        user.password_hash = hash_password(DEMO_PASSWORD)
        accounts.set_memberships(
            db, user, {services[ROSEWOOD].id: "supervisor", services[RIVERSIDE].id: "staff"}
        )
        care_plan = db.scalar(
            sa.select(Checklist).where(
                Checklist.organisation_id == org_id, Checklist.name == starter.CARE_PLAN.name
            )
        )
        db.add(
            AuditChampion(
                organisation_id=org_id,
                service_id=services[RIVERSIDE].id,
                checklist_id=care_plan.id,
                user_id=user.id,
                created_by_id=admin.id,
            )
        )
        db.commit()
        user_id = user.id
    yield EMAIL
    with live_server.app.app_context():
        db = get_session()
        user = db.get(User, user_id)
        db.execute(sa.delete(AuditChampion).where(AuditChampion.user_id == user_id))
        accounts.set_memberships(db, user, {m.service_id: None for m in user.memberships})
        user.active = False
        db.commit()


def published_templates(live_server) -> list[str]:
    """The demo organisation's published audit templates, by name."""
    with live_server.app.app_context():
        db = get_session()
        admin = db.scalar(sa.select(User).where(User.email == "admin@demo.test"))
        return list(
            db.scalars(
                sa.select(Checklist.name)
                .join(ChecklistVersion)
                .where(
                    Checklist.organisation_id == admin.organisation_id,
                    Checklist.purpose == "audit",
                    ChecklistVersion.published_at.is_not(None),
                    ChecklistVersion.retired_at.is_(None),
                )
                .order_by(Checklist.name)
            )
        )


def option_texts(page: Page, selector: str) -> list[str]:
    return page.locator(f"{selector} option").all_inner_texts()


def test_the_audit_page_offers_only_the_champions_template_at_that_service(
    open_page, live_server, mixed
):
    page = open_page(width=320, height=640, as_user=mixed)
    page.goto("/audits/record")
    expect(page.locator("#a-service option")).to_have_count(2)
    assert option_texts(page, "#a-service") == [RIVERSIDE, ROSEWOOD]

    page.locator("#a-service").select_option(label=RIVERSIDE)
    expect(page.locator("#a-template option")).to_have_text([starter.CARE_PLAN.name])

    page.locator("#a-service").select_option(label=ROSEWOOD)
    expect(page.locator("#a-template option")).to_have_text(published_templates(live_server))
    assert len(published_templates(live_server)) > 1

    # Back at Riverside, the template she chose at Rosewood is not offered.
    page.locator("#a-template").select_option(index=len(published_templates(live_server)) - 1)
    page.locator("#a-service").select_option(label=RIVERSIDE)
    expect(page.locator("#a-template option")).to_have_text([starter.CARE_PLAN.name])
    expect(page.locator("#audit-setup-errors li")).to_have_count(0)


def test_quis_and_visits_do_not_offer_the_champions_service(open_page, mixed):
    page = open_page(as_user=mixed)
    page.goto("/quis/record")
    expect(page.locator("#setup-service option")).to_have_text([ROSEWOOD])

    page.goto("/visits/record")
    expect(page.locator("#v-service option")).to_have_text([ROSEWOOD])
