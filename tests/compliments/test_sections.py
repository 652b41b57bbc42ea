"""An organisation's admins keep the log's sections: add, rename, stop and start offering one;
entries keep their section, and nobody else may change the list."""

from __future__ import annotations

import sqlalchemy as sa

from careobs.audit.models import AuditEvent
from careobs.compliments.models import ComplimentSection


def section(db, org, key: str) -> ComplimentSection | None:
    db.expire_all()
    return db.scalar(
        sa.select(ComplimentSection).where(
            ComplimentSection.organisation_id == org.org.id, ComplimentSection.key == key
        )
    )


def test_an_admin_adds_renames_and_withdraws_a_section(login_as, org, db, form):
    admin = login_as(org.admin)
    page = admin.get("/compliments/sections/")
    assert page.status_code == 200 and "Medicines" in page.get_data(as_text=True)
    assert (
        admin.post("/compliments/sections/", data={"label": "Laundry & linen"}).status_code == 302
    )
    added = section(db, org, "laundry_linen")
    assert (added.label, added.active, added.position) == ("Laundry & linen", True, 8)
    # Another name making the same key gets its own key.
    admin.post("/compliments/sections/", data={"label": "Laundry, linen"})
    assert section(db, org, "laundry_linen_2").label == "Laundry, linen"
    # An entry about food keeps its section through a rename and a withdrawal.
    supervisor = login_as(org.supervisor)
    assert (
        supervisor.post("/compliments/new", data=form(section="food", staff=[])).status_code == 302
    )
    assert (
        admin.post("/compliments/sections/food", data={"label": "Food and drink"}).status_code
        == 302
    )
    response = admin.post("/compliments/sections/food/offered", data={"offered": "0"})
    assert response.status_code == 302
    food = section(db, org, "food")
    assert (food.label, food.active) == ("Food and drink", False)
    new_form = supervisor.get("/compliments/new").get_data(as_text=True)
    assert "Food and drink" not in new_form and "Laundry &amp; linen" in new_form
    listed = supervisor.get("/compliments/").get_data(as_text=True)
    assert "Food and drink" in listed  # the entry keeps it
    refused = supervisor.post("/compliments/new", data=form(section="food", staff=[]))
    assert refused.status_code == 400  # no longer offered
    assert (
        admin.post("/compliments/sections/food/offered", data={"offered": "1"}).status_code == 302
    )
    assert section(db, org, "food").active is True
    events = set(db.scalars(sa.select(AuditEvent.action)))
    assert {
        "compliment_section_added",
        "compliment_section_renamed",
        "compliment_section_withdrawn",
        "compliment_section_offered",
    } <= events


def test_the_last_offered_section_stays(login_as, org, db):
    admin = login_as(org.admin)
    admin.get("/compliments/sections/")
    keys = [s.key for s in db.scalars(sa.select(ComplimentSection))]
    for key in keys[:-1]:
        assert (
            admin.post(f"/compliments/sections/{key}/offered", data={"offered": "0"}).status_code
            == 302
        )
    response = admin.post(f"/compliments/sections/{keys[-1]}/offered", data={"offered": "0"})
    assert response.status_code == 409
    assert section(db, org, keys[-1]).active is True


def test_bad_section_input_is_refused(login_as, org, db):
    admin = login_as(org.admin)
    admin.get("/compliments/sections/")
    assert admin.post("/compliments/sections/", data={"label": "  "}).status_code == 400
    assert admin.post("/compliments/sections/", data={"label": "x" * 81}).status_code == 400
    assert admin.post("/compliments/sections/care", data={"label": ""}).status_code == 400
    assert (
        admin.post("/compliments/sections/care/offered", data={"offered": "maybe"}).status_code
        == 400
    )
    assert admin.post("/compliments/sections/nope", data={"label": "Nope"}).status_code == 404
    assert db.scalar(sa.select(sa.func.count()).select_from(ComplimentSection)) == 8
    assert section(db, org, "care").label == "Care"


def test_only_the_organisations_admins_change_sections(login_as, org, other, db, homecare_manager):
    login_as(org.admin).get("/compliments/sections/")
    for user in (org.manager, homecare_manager, org.supervisor, org.staff):
        client = login_as(user)
        assert client.get("/compliments/sections/").status_code == 403
        assert client.post("/compliments/sections/", data={"label": "Mine"}).status_code == 403
        assert client.post("/compliments/sections/care", data={"label": "X"}).status_code == 403
    # Another organisation's admin changes their own list only.
    outsider = login_as(other.admin)
    assert outsider.post("/compliments/sections/care", data={"label": "Theirs"}).status_code == 302
    assert section(db, org, "care").label == "Care"


def count_sections(db, org) -> int:
    db.expire_all()
    return db.scalar(
        sa.select(sa.func.count()).where(ComplimentSection.organisation_id == org.org.id)
    )


def test_a_name_already_used_is_refused_whatever_its_case(login_as, org, db):
    """Adding "Care" twice (a double click) or "  CARE " makes no second section; the form says
    why and keeps what was typed."""
    admin = login_as(org.admin)
    admin.get("/compliments/sections/")
    assert count_sections(db, org) == 8
    for typed in ("Care", "  CARE ", "medicines"):
        page = admin.post("/compliments/sections/", data={"label": typed})
        assert page.status_code == 400, typed
        text = page.get_data(as_text=True)
        existing = "Care" if typed.strip().lower() == "care" else "Medicines"
        assert f"There is already a section called “{existing}”." in text
        assert f'value="{typed}"' in text
    assert count_sections(db, org) == 8
    events = db.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "compliment_section_added")
    ).all()
    assert events == []


def test_a_rename_to_another_sections_name_is_refused(login_as, org, db):
    admin = login_as(org.admin)
    admin.get("/compliments/sections/")
    page = admin.post("/compliments/sections/food", data={"label": "care"})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "There is already a section called “Care”." in text
    assert 'aria-invalid="true"' in text and 'value="care"' in text
    assert section(db, org, "food").label == "Food"
    assert section(db, org, "care").label == "Care"
    # A section may change only the case of its own name.
    assert admin.post("/compliments/sections/care", data={"label": "CARE"}).status_code == 302
    assert section(db, org, "care").label == "CARE"


def test_each_rename_field_and_button_names_its_section(login_as, org):
    """Screen readers hear "Section name: Care" and "Rename Care", not eight identical ones."""
    admin = login_as(org.admin)
    text = admin.get("/compliments/sections/").get_data(as_text=True)
    assert (
        '<label for="label-care">Section name<span class="visually-hidden">: Care</span></label>'
        in text
    )
    assert 'Rename<span class="visually-hidden"> Care</span></button>' in text
    assert 'Rename<span class="visually-hidden"> Medicines</span></button>' in text
    assert ">Rename</button>" not in text
