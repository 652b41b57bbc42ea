"""The installable app: web app manifest, the service worker at the root scope, offline page."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    session,
    url_for,
)

bp = Blueprint("pwa", __name__)

# The app shell, cached when the service worker installs. Capture pages are cached at run time
# (they need a login), see static/js/sw.js.
SHELL_FILES = (
    "css/app.css",
    "js/app.js",
    "js/audit-form.js",
    "js/bootstrap.js",
    "js/capture.js",
    "js/checklist-form.js",
    "js/dashboards.js",
    "js/device-records.js",
    "js/easy-read-form.js",
    "js/outbox-core.js",
    "js/privacy.js",
    "js/push.js",
    "js/quis-metrics.js",
    "js/quis-pair.js",
    "js/quis-recorder.js",
    "js/self-assessment-form.js",
    "js/self-assessment-ratings.js",
    "js/visit-form.js",
    "js/visit-feedback.js",
    "js/visit-scoring.js",
    "js/voice-form.js",
    "js/wording.js",
    "vendor/chartjs/chart.umd.min.js",
    "vendor/idb/umd.js",
    "img/icon.svg",
    "img/icon-192.png",
    "img/icons.svg",  # the header's and the navigation's icons
)
CAPTURE_PAGES = (
    "/quis/record",
    "/quis/",
    "/visits/record",
    "/visits/",
    "/audits/record",
    "/audits/easy-read",
    "/audits/",
    "/voice/record",
    "/self-assessments/record",
)


@bp.after_app_request
def revalidate_capture_pages(response: Response) -> Response:
    """Capture pages carry an ETag, so the browser and the service worker revalidate them (304)
    instead of downloading them again.

    The page embeds the session's signed CSRF token, which is signed anew on every render; the
    tag is taken over the page with that token standing for the session's raw one, so it changes
    when the page or the session does, and never matches a page rendered for another login.
    """
    if (
        request.method != "GET"
        or request.path not in CAPTURE_PAGES
        or response.status_code != 200
        or response.mimetype != "text/html"
        or response.direct_passthrough
    ):
        return response
    body = response.get_data()
    signed = g.get("csrf_token")
    if signed:
        raw = hashlib.sha256(str(session.get("csrf_token", "")).encode()).hexdigest()
        body = body.replace(signed.encode(), raw.encode())
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


# A static file the worker names itself ("/static/js/outbox-core.js"): replaced by its current,
# content-hashed address when the worker is served.
STATIC_PATH = re.compile(r'"/static/([^"]+)"')


@bp.get("/sw.js")
def service_worker():
    """Served from the root so its scope is the whole app, revalidated on every update check
    (an unchanged worker is answered 304).

    The shell list and the files the worker imports are the static files' hashed names, so the
    worker's text, and with it the cache version, changes whenever one of them does: the browser
    then installs the new worker, which fetches the new shell.
    """
    folder = current_app.static_folder
    source = (Path(folder) / "js/sw.js").read_text("utf-8")
    shell = [url_for("static", filename=name) for name in SHELL_FILES]
    shell += [url_for("pwa.offline"), url_for("pwa.manifest")]
    source = (
        STATIC_PATH.sub(lambda m: json.dumps(url_for("static", filename=m[1])), source)
        .replace('"__SHELL__"', json.dumps(shell))
        .replace('"__CAPTURE_PAGES__"', json.dumps(list(CAPTURE_PAGES)))
    )
    version = hashlib.sha256(source.encode()).hexdigest()[:12]
    source = source.replace("__CACHE_VERSION__", version)
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.set_etag(version)
    return response.make_conditional(request)


def _icon(name: str, size: str, purpose: str = "any") -> dict:
    """One entry of the manifest's icon list."""
    return {
        "src": url_for("static", filename=f"img/{name}"),
        "sizes": size,
        "type": "image/png",
        "purpose": purpose,
    }


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: installable, standalone, with regular and maskable icons."""
    response = jsonify(
        {
            "name": "careobs — quality observations",
            "short_name": "careobs",
            "description": "QUIS observations, monitoring visits and feedback, offline first.",
            "start_url": "/?source=pwa",
            "scope": "/",
            "display": "standalone",
            "orientation": "any",
            "background_color": "#f3f6f8",
            "theme_color": "#1f5f8b",
            "lang": "en-GB",
            "icons": [
                _icon("icon-192.png", "192x192"),
                _icon("icon-512.png", "512x512"),
                _icon("icon-maskable-512.png", "512x512", "maskable"),
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker when a page is not available offline."""
    return render_template("pwa/offline.html", bare=True)
