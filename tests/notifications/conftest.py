"""The notification tests share the feedback tests' fixtures, including the check that no
notification carries personal data (run after every test)."""

from tests.feedback.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    carla,
    checklist,
    hal,
    login,
    notifications_carry_no_personal_data,
    org,
    other,
    visit_doc,
)
