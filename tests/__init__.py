"""careobs's test suite."""

import pytest

# The helpers shared as a library (moved out of conftest.py files) keep pytest's detailed
# assertion messages, as they had in the conftests.
pytest.register_assert_rewrite("tests.support", "tests.sync.census", "tests.sync.devices")
