"""The running program's source, for everyone who uses it (AGPL-3.0-or-later, section 13).

Every page's footer links to ``SOURCE_URL`` (``CAREOBS_SOURCE_URL``): an operator who changes
careobs points it at their own published copy. When it is not set, the link is ``/source``,
an archive of the code this very process runs, built from its files the first time it is asked
for: the ``careobs`` package, its templates, static files and migrations, and the project's
licence, README and build files.
"""

from __future__ import annotations

import io
import tarfile
import threading
from pathlib import Path

from flask import Blueprint, Response, current_app, url_for

from careobs import PACKAGE_DIR, __version__, resource_dir

bp = Blueprint("source", __name__)

PROJECT_FILES = ("LICENSE", "README.md", "pyproject.toml", "Makefile")
SKIPPED = {"__pycache__", ".pytest_cache", ".ruff_cache"}
_ARCHIVE: dict[str, bytes] = {}
_LOCK = threading.Lock()


def source_url() -> str:
    """Where the footer's "Source code" link goes."""
    return current_app.config.get("SOURCE_URL") or url_for("source.archive")


def _files() -> list[tuple[Path, str]]:
    """(file, name in the archive) of everything the archive holds, sorted by name."""
    top = f"careobs-{__version__}"
    found: dict[str, Path] = {}
    roots = [(PACKAGE_DIR, "careobs")]
    for name in ("templates", "static", "migrations"):
        folder = resource_dir(name)
        if not folder.is_relative_to(PACKAGE_DIR):  # a checkout: beside the package
            roots.append((folder, name))
    for root, prefix in roots:
        for path in root.rglob("*"):
            parts = path.relative_to(root).parts
            if path.is_file() and not SKIPPED.intersection(parts) and path.suffix != ".pyc":
                found[f"{top}/{prefix}/{'/'.join(parts)}"] = path
    for name in PROJECT_FILES:
        for place in (PACKAGE_DIR.parent / name, PACKAGE_DIR / name):
            if place.is_file():
                found.setdefault(f"{top}/{name}", place)
    return sorted(((path, name) for name, path in found.items()), key=lambda pair: pair[1])


def build_archive() -> bytes:
    """A gzipped tar of the running source (the same bytes for the same files)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for path, name in _files():
            info = tar.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with path.open("rb") as handle:
                tar.addfile(info, handle)
    return buffer.getvalue()


@bp.get("/source")
def archive():
    """The source of this careobs, as a .tar.gz download (no login: AGPL section 13 is owed to
    everyone who uses the program over the network)."""
    with _LOCK:
        if __version__ not in _ARCHIVE:
            _ARCHIVE[__version__] = build_archive()
        body = _ARCHIVE[__version__]
    name = f"careobs-{__version__}-source.tar.gz"
    return Response(
        body,
        mimetype="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
