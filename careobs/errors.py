"""Error responses: JSON `{"error": {"code", "message"}}` for the API, pages otherwise."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from careobs.db import opened_request_session

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please log in to continue.",
    403: "You do not have permission to see this page.",
    404: "There is nothing here. It may have been moved or you may not have access to it.",
    405: "That action is not allowed here.",
    413: "What was sent is too large.",
    415: "Send JSON with the Content-Type application/json.",
    429: "Too many attempts. Please wait a few minutes and try again.",
    500: "Something went wrong on our side. Nothing you entered has been lost on this device.",
}


def wants_json() -> bool:
    """API paths always answer JSON; elsewhere only when the client prefers it to HTML."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_code(status: int) -> str:
    """A stable machine-readable code for an HTTP status, e.g. ``not_found``."""
    from werkzeug.http import HTTP_STATUS_CODES

    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_").replace("'", "")


def error_response(status: int, message: str | None = None, code: str | None = None):
    """The response for an error in whichever form the client reads."""
    message = message or MESSAGES.get(status, "The request failed.")
    if wants_json():
        body = {"error": {"code": code or error_code(status), "message": message}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def _roll_back() -> None:
    """End the request's transaction before the error page is built.

    Nothing of a failed request is kept, and on PostgreSQL a failed statement leaves the
    transaction aborted: every later query (the error page's navigation and notification count)
    would fail too, and the person would get the bare server error instead of this page.
    """
    session = opened_request_session()
    if session is not None:
        session.rollback()


def _handle_http(exc: HTTPException):
    _roll_back()
    custom = exc.description if exc.description != type(exc).description else None
    body, status = error_response(exc.code or 500, custom)
    # A 405 must say which methods are allowed (RFC 9110 §15.5.6).
    allowed = getattr(exc, "valid_methods", None)
    return (body, status, {"Allow": ", ".join(allowed)}) if allowed else (body, status)


def _handle_csrf(exc: CSRFError):
    _roll_back()
    if wants_json():
        return error_response(400, f"{exc.description} Fetch a new token and retry.", "csrf_failed")
    return error_response(
        400, "This form had expired. Go back, reload the page and try again.", "csrf_failed"
    )


def _handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return _handle_http(exc)
    _roll_back()
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(500, code=error_code(InternalServerError.code))


def init_app(app: Flask) -> None:
    """Register the handlers; CSRF first because it is an HTTP 400 with its own message."""
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(HTTPException, _handle_http)
    if not app.testing:
        app.register_error_handler(Exception, _handle_unexpected)
