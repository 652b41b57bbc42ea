"""What a phone downloads: every script, style sheet and icon under a content-hashed name, served
immutable and compressed, and the page itself compressed (careobs/assets.py, Flask-Compress).

Service workers are blocked here (``open_page``), so every request goes to the server and its
real response headers are seen."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from playwright.sync_api import expect

HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.\w+$")
COMPRESSED = {"br", "gzip", "zstd"}


def test_a_capture_page_loads_only_hashed_immutable_compressed_static_files(open_page):
    page = open_page(as_user="supervisor")
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/quis/record")
    expect(page.locator("#setup-service option").first).to_be_attached()
    page.wait_for_load_state("networkidle")

    document = next(r for r in responses if urlparse(r.url).path == "/quis/record")
    assert document.headers.get("content-encoding") in COMPRESSED

    static = [r for r in responses if urlparse(r.url).path.startswith("/static/")]
    paths = {urlparse(r.url).path for r in static}
    assert any(path.startswith("/static/js/quis-recorder.") for path in paths)
    assert any(path.startswith("/static/js/capture.") for path in paths)  # imported by a module
    assert any(path.startswith("/static/css/app.") for path in paths)
    for response in static:
        path = urlparse(response.url).path
        assert response.status == 200, path
        assert HASHED.match(path), f"{path} is not content-hashed"
        assert "immutable" in response.headers["cache-control"], path
        if path.endswith((".js", ".css", ".svg")):
            assert response.headers.get("content-encoding") in COMPRESSED, path


def test_a_repeat_visit_takes_static_files_from_the_browser_cache_without_asking(open_page):
    """Immutable: on the second load of the page, no static file is downloaded again (not even
    revalidated: a 304 would still transfer its headers)."""
    page = open_page(as_user="supervisor")
    page.goto("/quis/record")
    page.wait_for_load_state("networkidle")
    page.goto("/visits/")
    page.goto("/quis/record")
    expect(page.locator("#setup-service option").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    entries = page.evaluate(
        """() => performance.getEntriesByType("resource")
             .filter((e) => new URL(e.name).pathname.startsWith("/static/"))
             .map((e) => [new URL(e.name).pathname, e.transferSize])"""
    )
    assert any(path.startswith("/static/js/quis-recorder.") for path, _size in entries)
    downloaded = [path for path, size in entries if size > 0]
    assert downloaded == [], f"static files downloaded again: {downloaded}"
