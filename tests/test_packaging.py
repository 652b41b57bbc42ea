"""A wheel built from the repository is complete: it serves pages with CSS and runs migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Runs inside the installed copy only: proves templates, static files and migrations ship.
CHECK_INSTALLED = """
import sys, pathlib
import careobs
from careobs import create_app
from careobs.cli import main

target = pathlib.Path(sys.argv[1]).resolve()
assert pathlib.Path(careobs.__file__).resolve().is_relative_to(target), careobs.__file__
try:
    main(["db", "upgrade"], standalone_mode=False)
except SystemExit as exc:
    assert not exc.code, exc.code
app = create_app({"TESTING": True})
client = app.test_client()
page = client.get("/login")
assert page.status_code == 200 and b"Log in" in page.data, page.status_code
css = client.get("/static/css/app.css")
assert css.status_code == 200 and b"--brand" in css.data, css.status_code
# The source it serves (AGPL section 13) is the installed code, with its licence.
import io, tarfile
source = client.get("/source")
assert source.status_code == 200, source.status_code
with tarfile.open(fileobj=io.BytesIO(source.data), mode="r:gz") as tar:
    names = set(tar.getnames())
top = "careobs-" + careobs.__version__
wanted = ("LICENSE", "careobs/source.py", "careobs/templates/base.html")
wanted += ("careobs/migrations/env.py",)
for name in wanted:
    assert f"{top}/{name}" in names, (name, sorted(names)[:20])
print("installed wheel OK")
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (built,) = out.glob("careobs-*.whl")
    return built


def test_wheel_contains_templates_static_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "careobs/templates/base.html" in names
    assert "careobs/static/css/app.css" in names
    assert "careobs/migrations/env.py" in names
    assert any(n.startswith("careobs/migrations/versions/") for n in names)
    assert "careobs/data/common-passwords.txt" in names
    assert "careobs/LICENSE" in names


def test_installed_wheel_serves_pages_and_migrates(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'wheel.db'}",
        "CAREOBS_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    result = subprocess.run(
        [sys.executable, "-c", CHECK_INSTALLED, str(target)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "installed wheel OK" in result.stdout
