"""The program's source for everyone who uses it (AGPL-3.0-or-later, section 13): every page's
footer links to it, and /source serves the code this process runs, to anyone."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from careobs import PACKAGE_DIR, __version__

TOP = f"careobs-{__version__}"


def test_the_footer_links_to_the_source_on_every_page(client, login_as, org):
    for page in (client.get("/login"), login_as(org.staff).get("/")):
        assert page.status_code == 200
        assert '<a href="/source">Source code</a> (free software: AGPL-3.0-or-later)' in (
            page.get_data(as_text=True)
        )


def test_an_operator_points_the_link_at_their_own_published_copy(app, client):
    app.config["SOURCE_URL"] = "https://git.example.org/care/careobs"
    body = client.get("/login").get_data(as_text=True)
    assert '<a href="https://git.example.org/care/careobs">Source code</a>' in body


def test_anyone_downloads_the_running_code_with_its_licence(client):
    response = client.get("/source")
    assert response.status_code == 200
    assert response.mimetype == "application/gzip"
    assert f'filename="{TOP}-source.tar.gz"' in response.headers["Content-Disposition"]
    with tarfile.open(fileobj=io.BytesIO(response.data), mode="r:gz") as tar:
        names = set(tar.getnames())
        licence = tar.extractfile(f"{TOP}/LICENSE").read().decode()
        source = tar.extractfile(f"{TOP}/careobs/source.py").read()
    assert licence.startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert source == (PACKAGE_DIR / "source.py").read_bytes()  # this very code
    for expected in (
        "careobs/__init__.py",
        "templates/base.html",
        "static/js/capture.js",
        "migrations/env.py",
        "pyproject.toml",
        "README.md",
    ):
        assert f"{TOP}/{expected}" in names, expected
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_licence_is_the_agpl_the_project_declares():
    licence = (Path(PACKAGE_DIR).parent / "LICENSE").read_text()
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in licence and "Version 3" in licence
    assert (
        'license = "AGPL-3.0-or-later"' in (Path(PACKAGE_DIR).parent / "pyproject.toml").read_text()
    )
