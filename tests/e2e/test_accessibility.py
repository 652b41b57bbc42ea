"""axe-core finds no serious or critical accessibility problem on any page of careobs."""

from __future__ import annotations

import pytest

from tests.e2e.pages import PAGES


@pytest.mark.parametrize("visit", PAGES, ids=lambda visit: visit.name)
def test_page_has_no_serious_axe_violations(visit, live_server, open_page, axe):
    page = open_page(as_user=visit.who)
    visit.open(page, live_server, open_page)
    page.wait_for_load_state("load")  # contrast is judged on the styled page
    axe(page)


def test_the_axe_check_fails_on_a_serious_violation(page, axe):
    """The scan is real: break the login page on purpose and the check must fail."""
    page.goto("/login")
    page.evaluate(
        """() => {
          document.querySelector("label[for=email]").remove();
          const image = document.createElement("img");
          image.src = "/static/img/icon.svg";
          document.querySelector("main").append(image);
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        axe(page)
    assert "image-alt (critical)" in str(failure.value)
    assert "label (critical)" in str(failure.value)
    assert "#email" in str(failure.value)
