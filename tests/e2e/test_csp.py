"""The strict Content-Security-Policy reaches the browser, and violations would be caught.

Every test's pages are watched by the ``open_page`` fixture; these tests show that the header is
the one careobs sends and that the watch really reports a violation when one happens.
"""

from __future__ import annotations

from playwright.sync_api import expect

from careobs.security import CONTENT_SECURITY_POLICY


def test_pages_carry_the_content_security_policy(page, login):
    response = page.goto("/login")
    assert response.all_headers()["content-security-policy"] == CONTENT_SECURITY_POLICY
    login(page, "admin")
    for path in ("/", "/admin/", "/admin/users/", "/account"):
        response = page.goto(path)
        assert response.status == 200
        headers = response.all_headers()
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert headers["x-frame-options"] == "DENY"
    assert len(page.watch.documents) >= 6
    assert page.watch.problems == []


def test_inline_script_and_style_are_refused_and_reported(page):
    page.goto("/login")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
          document.querySelector("h1").setAttribute("style", "color: red");
        }"""
    )
    expect(page.locator("h1")).to_have_css("color", "rgb(27, 31, 35)")
    assert page.evaluate("() => window.inlineRan") is None
    page.wait_for_timeout(200)  # console messages arrive asynchronously
    reported = page.watch.take()
    assert len(reported) == 2, reported
    assert all(p.startswith("CSP violation:") for p in reported), reported
    assert any("inline script" in p.lower() for p in reported), reported
    assert any("inline style" in p.lower() for p in reported), reported
