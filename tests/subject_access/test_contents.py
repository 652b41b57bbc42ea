"""What a copy holds: exactly the worker's rows in each category, none of a colleague's or of
another organisation's; README's counts agree with the CSVs and data.json; formula-looking text
is neutralised; secrets (password hash, session token, push endpoint) and colleagues' addresses
never appear; the worker's own copy leaves out what is not yet released to them."""

from __future__ import annotations

import pytest

from tests.subject_access.archive_reader import read
from tests.subject_access.records import ADMIN_IP, EXPECTED, HAL_IP, SECRET_ENDPOINT


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
