"""careobs.privacy: spotting personal identifiers in free text and in people's codes.

Pure functions, so these tests need no app or database. ``identifier_warnings`` must catch
what would identify a person supported (emails, NHS numbers, dates of birth, phone numbers,
postcodes, titled names) and stay silent on the ordinary notes care staff write all day.
"""

from __future__ import annotations

import pytest

from careobs.privacy import code_problems, code_warnings, identifier_warnings

EMAIL = "This looks like it contains an email address."
NHS = "This looks like it contains a number that looks like an NHS number or phone number."
PHONE = "This looks like it contains a phone number."
DATE = "This looks like it contains a date that could be a date of birth."
POSTCODE = "This looks like it contains a postcode."
TITLE = "This looks like it contains a name with a title (Mr, Mrs, ...)."

NAME_PROBLEM = (
    "This looks like a name. Use a short code such as R07 instead: "
    "careobs never stores the names of people supported."
)
NHS_PROBLEM = (
    "This looks like an NHS number. Use a short code such as R07 instead: "
    "careobs never stores NHS numbers."
)
DATE_PROBLEM = (
    "This looks like a date, possibly a date of birth. Use a short code such as R07 instead: "
    "careobs never stores dates of birth."
)
PHONE_PROBLEM = (
    "This looks like a phone number. Use a short code such as R07 instead: "
    "careobs never stores phone numbers."
)
EMPTY_PROBLEM = "Enter a code, for example R07."
SHAPE_PROBLEM = "Use up to 16 letters, digits or hyphens, for example R07 or HC-112."
TEN_DIGITS = "This code has 10 digits, like an NHS number."
LOOKS_LIKE_DATE = "This code looks like a date, possibly a date of birth."


# --- identifier_warnings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Her daughter's email is jo.bloggs@example.com",
        "contact: j.smith+care@nhs.net",
    ],
)
def test_finds_email_addresses(text):
    assert identifier_warnings(text) == [EMAIL]


@pytest.mark.parametrize("text", ["NHS no 943 476 5919", "9434765919", "ref 943-476-5919"])
def test_finds_nhs_number_like_numbers(text):
    assert identifier_warnings(text) == [NHS]


@pytest.mark.parametrize(
    "text",
    [
        "born 01/02/1945",
        "DOB 1.2.45",
        "born 3 March 1941",
        "born 3rd Mar 1941",
        "born 21 september 1938",
        "dob 1945-02-01",
        "DOB 010245",
    ],
)
def test_finds_dates_that_could_be_dates_of_birth(text):
    assert DATE in identifier_warnings(text)


@pytest.mark.parametrize(
    "text",
    [
        "son's mobile 07700 900123",
        "ring 07700900123",
        "ring +44 7700 900123",
        "GP surgery 0161 496 0000",
        "office 01632 960123",
        "daughter on 020 7946 0958",
        "daughter on (020) 7946 0958",
        "daughter on +44 20 7946 0958",
        "daughter on +44 (0)20 7946 0958",
    ],
)
def test_finds_uk_phone_numbers(text):
    warnings = identifier_warnings(text)
    assert PHONE in warnings or NHS in warnings


@pytest.mark.parametrize("text", ["lives at SW1A 1AA", "sw1a1aa", "M1 1AE", "moved to B33 8TH"])
def test_finds_postcodes(text):
    assert POSTCODE in identifier_warnings(text)


@pytest.mark.parametrize(
    "text",
    ["Mrs Smith enjoyed lunch", "Mr. Jones", "asked for Dr Evans", "MISS PATEL", "Ms O'Neil"],
)
def test_finds_names_with_a_title(text):
    assert identifier_warnings(text) == [TITLE]


def test_reports_each_kind_of_identifier_found_once():
    text = "Mrs Smith, 3 March 1941, SW1A 1AA, 943 476 5919, jo@example.com"
    assert identifier_warnings(text) == [EMAIL, NHS, DATE, POSTCODE, TITLE]


@pytest.mark.parametrize(
    "text",
    [
        "R07 enjoyed lunch and chatted about gardening",
        "R07 did not want to miss lunch today",
        "Sat in the lounge from 2pm to 3pm with 4 others",
        "Had 2 cups of tea at 10:30, medication at 08.00",
        "Scored 12/20 on the quiz and walked 100 metres",
        "R12 and R07 played dominoes; HC-112 visit ran 15 minutes late",
        "Staff member knelt to eye level and explained each step",
        "",
    ],
)
def test_ordinary_notes_raise_no_warning(text):
    assert identifier_warnings(text) == []


# --- code_problems ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["R07", "r07", "HC-112", "H1", "A" * 16, " R07 "])
def test_well_formed_codes_have_no_problems(code):
    assert code_problems(code) == []


@pytest.mark.parametrize("code", ["Mary Smith", "John O'Brien", "Anne-Marie Jones", "R 07"])
def test_names_and_spaces_are_refused_as_codes(code):
    assert code_problems(code) == [NAME_PROBLEM]


@pytest.mark.parametrize("code", ["JohnSmith", "MaryJones", "R07MaryJones", "AnneMarie"])
def test_names_typed_without_a_space_are_refused_as_codes(code):
    assert code_problems(code) == [NAME_PROBLEM]


@pytest.mark.parametrize("code", ["RoomA", "HCRoom", "Rm12", "ABC", "ROSEHOUSE", "R07a"])
def test_codes_with_capitals_that_are_not_joined_up_names_are_accepted(code):
    assert code_problems(code) == []


@pytest.mark.parametrize("code", ["485 777 3456", " 485 7773456 ", "NHS 485 777 3456"])
def test_an_nhs_number_as_printed_is_refused_for_what_it_is(code):
    assert code_problems(code) == [NHS_PROBLEM]


@pytest.mark.parametrize("code", ["01/02/1950", "1.2.50", "3 March 1941", "DOB 01/02/1950"])
def test_a_date_that_cannot_be_a_code_is_refused_as_a_date(code):
    assert code_problems(code) == [DATE_PROBLEM]


@pytest.mark.parametrize("code", ["07700 900123", "020 7946 0958", "+44 7700 900123"])
def test_a_phone_number_is_refused_as_a_phone_number(code):
    assert code_problems(code) == [PHONE_PROBLEM]


def test_a_name_with_a_date_of_birth_is_refused_for_the_date_first():
    assert code_problems("Mary Smith 01/02/1950") == [DATE_PROBLEM]


@pytest.mark.parametrize("code", ["", "   "])
def test_an_empty_code_is_refused(code):
    assert code_problems(code) == [EMPTY_PROBLEM]


@pytest.mark.parametrize("code", ["A" * 17, "R_07", "R07!", "-R07", "jo@example.com"])
def test_codes_of_the_wrong_shape_are_refused(code):
    assert code_problems(code) == [SHAPE_PROBLEM]


# --- code_warnings ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["R07", "HC-112", "R123456", "ROOM12", "12345"])
def test_ordinary_codes_need_no_confirmation(code):
    assert code_warnings(code) == []


@pytest.mark.parametrize("code", ["1234567890", "943-476-5919", "A9434765919"])
def test_codes_with_ten_digits_look_like_nhs_numbers(code):
    assert code_warnings(code) == [TEN_DIGITS]


@pytest.mark.parametrize("code", ["010145", "01011945", "1945-01-01", "R010145", "123456"])
def test_date_like_codes_need_confirmation(code):
    assert code_warnings(code) == [LOOKS_LIKE_DATE]
