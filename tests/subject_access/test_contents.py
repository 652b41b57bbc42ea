"""What a copy holds: exactly the worker's rows in each category, none of a colleague's or of
another organisation's; README's counts agree with the CSVs and data.json; formula-looking text
is neutralised; secrets (password hash, session token, push endpoint) and colleagues' addresses
never appear; the worker's own copy leaves out what is not yet released to them."""

from __future__ import annotations

import pytest

from tests.subject_access.archive_reader import read
from tests.subject_access.records import ADMIN_IP, EXPECTED, HAL_IP, SECRET_ENDPOINT
from tests.support.feedback import make_feedback


def own_copy(login, hal):
    response = login(hal).post("/account/data")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response, read(response.get_data())


def admin_copy(login, org, member):
    response = login(org.admin).post(f"/admin/staff/{member.uuid}/data")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response, read(response.get_data())


@pytest.mark.parametrize("complete", [True, False], ids=["admin", "own"])
def test_each_file_holds_exactly_the_workers_rows(login, org, hal, records, complete):
    member = org.staff_members["Hal Homecare"]
    _, copy = admin_copy(login, org, member) if complete else own_copy(login, hal)
    assert sorted(copy.csv) == sorted(EXPECTED)
    for stem, expected in EXPECTED.items():
        if expected is not None:
            assert len(copy.csv[stem]) == expected[0 if complete else 1], stem
    text = copy.all_text()
    for other_id in records.others:
        assert str(other_id) not in text
    assert "Carla" not in text.replace("Hal and Carla were kind", "")
    for kind, record_id in records.shown.items():
        assert str(record_id) in text, kind
    for kind, record_id in records.held_back.items():
        assert (str(record_id) in text) is complete, kind


def test_readme_counts_agree_with_the_csvs_and_data_json(login, org, records):
    _, copy = admin_copy(login, org, org.staff_members["Hal Homecare"])
    counts = copy.readme_counts()
    assert counts == {stem: len(rows) for stem, rows in copy.csv.items()}
    json_rows = {k: len(v["rows"]) for k, v in copy.json["categories"].items()}
    assert json_rows == counts
    for stem, rows in copy.csv.items():
        json_first = copy.json["categories"][stem]["rows"][:1]
        assert [list(r) for r in json_first] == [list(r) for r in rows[:1]], "same columns"
    assert copy.names[0] == "README.txt" and copy.names[-1] == "data.json"
    assert "Made for: Hal Homecare" in copy.readme
    assert "only as codes" in copy.readme and "complete copy" in copy.readme
    assert copy.json["complete"] is True and copy.json["for"] == "Hal Homecare"


def test_formula_cells_are_neutralised_in_csv_and_kept_in_json(login, org, records):
    _, copy = admin_copy(login, org, org.staff_members["Hal Homecare"])
    comments = {row["comment"] for row in copy.csv["monitoring_visit_answers"]}
    assert "'=cmd|' /C calc'!A0" in comments
    assert "'+Hal and Carla were kind." in {row["text"] for row in copy.csv["compliments"]}
    assert "'@SUM(1) thanks" in {row["your_reply"] for row in copy.csv["feedback"]}
    json_comments = {
        row["comment"] for row in copy.json["categories"]["monitoring_visit_answers"]["rows"]
    }
    assert "=cmd|' /C calc'!A0" in json_comments


def test_no_secret_and_no_colleagues_address(login, org, hal, db, records):
    _, copy = admin_copy(login, org, org.staff_members["Hal Homecare"])
    db.refresh(hal)
    text = copy.all_text()
    assert hal.password_hash not in text and hal.session_token not in text
    assert SECRET_ENDPOINT not in text
    assert copy.csv["push_subscriptions"][0]["push_service"] == "https://push.example.net"
    assert ADMIN_IP not in text
    assert HAL_IP in {row["ip"] for row in copy.csv["login_history"]}
    # When each login was last used (to the day) is held about him too.
    assert {"started_at", "ended_at", "last_seen_at", "ended_by"} <= set(
        copy.csv["login_history"][0]
    )
    events = {row["action"]: row for row in copy.csv["audit_log"]}
    assert events["feedback_acknowledged"]["ip"] == HAL_IP
    assert events["staff_updated"]["ip"] == "" and events["staff_updated"]["done_by"] == "Ada Admin"
    assert "feedback_drafted" in events


def test_own_copy_says_what_it_leaves_out_and_its_log_follows_it(login, hal, records):
    _, copy = own_copy(login, hal)
    assert "not yet released to you" in copy.readme and copy.json["complete"] is False
    actions = {row["action"] for row in copy.csv["audit_log"]}
    assert "feedback_acknowledged" in actions and "login" in actions
    assert "feedback_drafted" not in actions  # about his draft feedback, held back
    assert HAL_IP in {row["ip"] for row in copy.csv["login_history"]}


def test_the_download_is_an_attachment_no_one_keeps(login, hal, records):
    response, _ = own_copy(login, hal)
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="careobs-your-data-20')
    assert disposition.endswith('.zip"') and "hal" not in disposition.lower()


def test_a_staff_member_without_a_login(login, db, other):
    """Other Org's Hal Homecare has no login: his copy has his records and no account rows."""
    member = other.staff_members["Hal Homecare"]
    feedback = make_feedback(db, other.supervisor, member)
    response = login(other.admin).post(f"/admin/staff/{member.uuid}/data")
    copy = read(response.get_data())
    assert copy.ids("feedback") == {str(feedback.uuid)}
    assert copy.ids("staff_record") == {str(member.uuid)}
    for stem in ("account", "roles", "notifications", "login_history", "failed_logins"):
        assert copy.csv[stem] == [], stem
    assert {row["action"] for row in copy.csv["audit_log"]} == set()


def test_the_user_page_gives_the_same_copy_as_the_staff_page(login, org, hal, records):
    _, by_staff = admin_copy(login, org, org.staff_members["Hal Homecare"])
    response = login(org.admin).post(f"/admin/users/{hal.uuid}/data")
    by_user = read(response.get_data())
    for stem in by_staff.csv:
        if stem != "audit_log":  # the first download is an event about Hal in the second
            assert by_user.csv[stem] == by_staff.csv[stem], stem
    downloads = [r for r in by_user.csv["audit_log"] if r["action"] == "subject_access_download"]
    assert len(downloads) == 1 and downloads[0]["done_by"] == "Ada Admin"


def test_own_copy_keeps_a_draws_reasons_back_while_a_visit_is_held_back(login, org, hal, records):
    """A draw made after a visit whose feedback is not released would tell its band early
    ("last result red"): his own copy says when he will see it; the complete copy shows it."""
    member = org.staff_members["Hal Homecare"]
    _, complete = admin_copy(login, org, member)
    _, own = own_copy(login, hal)
    assert {row["reasons"] for row in complete.csv["selection_draws"]} == {'["overdue"]'}
    assert {row["weight"] for row in complete.csv["selection_draws"]} == {"5"}
    assert {row["reasons"] for row in own.csv["selection_draws"]} == {
        '["shown once your latest feedback is released"]'
    }
    assert {row["weight"] for row in own.csv["selection_draws"]} == {""}
