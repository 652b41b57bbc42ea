"""The capture pages' code is all in the service worker's shell, so a page opened offline can load
every script it runs, and every module those import (static/js/capture.js among them), from the
cache. A module missing from ``SHELL_FILES`` (careobs/pwa/views.py) would work online and leave
the recorder blank offline."""

from __future__ import annotations

import json
import re

from careobs.pwa.views import CAPTURE_PAGES

SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="([^"]+)"')
IMPORT_FROM = re.compile(r'(?:from|import)\s*"(\./[\w.-]+\.js)"')


def _shell(page) -> set[str]:
    """The URL paths the worker caches when it installs."""
    source = page.request.get("/sw.js").text()
    return set(json.loads(re.search(r"const SHELL = (\[.*?\]);", source).group(1)))


def _modules(page, start: str) -> set[str]:
    """``start`` and every static script it imports, followed to the end."""
    seen, todo = set(), [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        source = page.request.get(path).text()
        folder = path.rsplit("/", 1)[0]
        todo += [f"{folder}/{name[2:]}" for name in IMPORT_FROM.findall(source)]
    return seen


def test_every_script_of_the_capture_pages_is_in_the_worker_shell(open_app, live_server):
    page = open_app(as_user="supervisor").new_page()
    shell = _shell(page)
    scripts = set()
    for address in CAPTURE_PAGES:
        response = page.request.get(address)
        assert response.status == 200, address
        for src in SCRIPT_SRC.findall(response.text()):
            if src.startswith("/static/"):
                scripts |= _modules(page, src.split("?")[0])
    modules = ("quis-recorder", "visit-form", "capture", "device-records")
    assert {live_server.static(f"js/{name}.js") for name in modules} <= scripts
    assert scripts - shell == set()
