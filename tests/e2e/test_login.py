"""Logging in and out through the real form, with the mouse and with the keyboard alone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from careobs.demo import DEMO_PASSWORD, LOGINS

NAMES = {email.split("@")[0]: name for email, name, _role in LOGINS}


@pytest.mark.parametrize("who", list(NAMES))
def test_each_demo_user_logs_in_and_sees_their_home_page(who, page, live_server, login):
    login(page, who)
    expect(page).to_have_url(f"{live_server.base_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {NAMES[who]}")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_wrong_password_is_refused_with_a_plain_message(page, login):
    login(page, "supervisor@demo.test", "wrong-password-123")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_text("The email or password is incorrect.")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")


def test_logging_out_returns_to_the_login_page(page, live_server, login):
    login(page, "manager")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Priya Shah")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.base_url}/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    page.goto("/account")
    expect(page).to_have_url(f"{live_server.base_url}/login?next=/account")


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "body";
  if (el.matches(".skip-link")) return "skip link";
  if (el.id) return "#" + el.id;
  return `${el.tagName.toLowerCase()} "${el.textContent.trim()}"`;
}"""


def test_login_form_works_with_the_keyboard_alone(page, live_server):
    page.goto("/login")
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED))
    assert order[0] == "skip link", order
    # Only the "careobs" home link in the header may sit between the skip link and the form.
    assert [f for f in order if f != 'a "careobs"'][:4] == [
        "skip link",
        "#email",
        "#password",
        'button "Log in"',
    ], order

    # The skip link jumps straight to the content: the next Tab lands in the email field.
    page.goto("/login")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    for expected in ("#email", "#password", 'button "Log in"'):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED) == expected

    # Typing the credentials and pressing Enter submits the form.
    page.locator("#email").focus()
    page.keyboard.type("admin@demo.test")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alex Morgan")
    assert urlsplit(page.url).path == "/", page.url  # the skip link may leave "#main" behind
