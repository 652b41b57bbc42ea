"""Static files with content-hashed names, precompressed, served by WhiteNoise.

Every file under ``static/`` gets a second name carrying a hash of its content
(``js/app.js`` → ``js/app.3f9c1a2b7d4e.js``), and ``url_for('static', ...)`` gives that name.
Hashed names are served with ``Cache-Control: immutable`` for a year or more: a changed file
has a new name, so browsers never ask for an unchanged one again. Each text file is compressed
once, with Brotli and gzip, and WhiteNoise picks the variant the browser accepts.

The ES modules under ``static/js`` import each other by relative path (``./push.js``); the copies
are rewritten to import the hashed names, so a module's hash covers the modules it imports and
a browser never mixes an old module with a new one.

The build goes to ``ASSET_DIR`` (default ``<instance>/assets``), one directory per content of
``static/`` (its files under ``static/``, the list of hashed names beside them), written once and
renamed into place, so processes starting together share it and an installed package's
read-only ``static/`` is never written to. The few builds before it are kept, and their hashed
names still served, for pages rendered by a process that has not restarted yet.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import threading
from dataclasses import dataclass
from functools import cache
from graphlib import CycleError, TopologicalSorter
from importlib.metadata import version
from pathlib import Path, PurePosixPath

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from careobs.security import headers_for_every_response

HASH_LENGTH = 12
COMPRESSOR = Compressor(quiet=True)  # Brotli and gzip, each kept where it is smaller
BUILDS_KEPT = 3
MANIFEST = "manifest.txt"

# What makes a build: a change here rebuilds every deployment's static files.
BUILD_FORMAT = "1"

# A module's imports by relative path: `import … from "./x.js"` and `export … from "./x.js"`
# (the clause may run over several lines), `import "./x.js"`, each at the start of a line (so a
# comment that names a module is not read as an import), and `import("./x.js")` anywhere.
RELATIVE_IMPORT = re.compile(
    r"""(?P<head>^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*|^[ \t]*import\s*|\bimport\s*\(\s*)"""
    r"""(?P<quote>["'])(?P<spec>\.{1,2}/[^"'\s]+\.js)(?P=quote)""",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Build:
    """One build of ``static/``: where it lies and each source name's hashed name."""

    key: str
    folder: Path  # the files to serve; the manifest lies beside them
    hashed: dict[str, str]


def init_app(app: Flask) -> None:
    """Build (or find) the hashed copies, serve them with WhiteNoise, hash ``url_for``.

    When ``ASSET_DIR`` cannot be written (a cron job run as another user, say), the app still
    starts and serves ``static/`` as Flask does, under plain names: it logs why.
    """
    source = Path(app.static_folder)
    destination = Path(app.config["ASSET_DIR"])
    prefix = f"/{app.static_url_path.strip('/')}/"
    try:
        current = build(source, destination)
    except OSError as error:
        app.logger.warning(
            "static files served unhashed: cannot build in %s (%s)", destination, error
        )
        return
    state = {"build": current, "immutable": frozenset()}
    security = headers_for_every_response(bool(app.config.get("CAREOBS_PRODUCTION")))

    def add_security_headers(headers, _path: str, _url: str) -> None:
        for name, value in security.items():
            headers[name] = value

    def files_of(latest: Build) -> dict:
        """WhiteNoise's table of files: the latest build's, and the hashed names of the builds
        kept before it, which pages rendered by a process not yet restarted still name."""
        builds = [*_older_builds(destination, latest), latest]
        state["immutable"] = frozenset(name for b in builds for name in b.hashed.values())
        table = WhiteNoise(
            None,
            max_age=0,  # a plain name is revalidated (ETag, Last-Modified), never trusted
            allow_all_origins=False,  # only careobs's own pages use these files
            immutable_file_test=lambda _path, url: url.removeprefix(prefix) in state["immutable"],
            add_headers_function=add_security_headers,
        )
        for older in builds[:-1]:
            for hashed_name in older.hashed.values():
                path = older.folder / hashed_name
                if path.is_file():
                    table.add_file_to_dictionary(prefix + hashed_name, str(path))
        table.add_files(str(latest.folder), prefix=prefix)
        return table.files

    server = WhiteNoise(app.wsgi_app)
    server.files = files_of(current)
    app.wsgi_app = server
    app.extensions["careobs.assets"] = state

    @app.url_defaults
    def hashed_static_name(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = state["build"].hashed.get(values["filename"], values["filename"])

    if app.debug:
        # In development a changed file is picked up on the next page view, as Flask's own
        # static route would; in production the build is fixed for the life of the process.
        lock = threading.Lock()

        @app.before_request
        def rebuild_if_changed() -> None:
            with lock:
                if _content_key(source) != state["build"].key:
                    latest = build(source, destination)
                    server.files = files_of(latest)  # one assignment: no request sees a half
                    state["build"] = latest


def build(source: Path, destination: Path) -> Build:
    """The build of ``source`` in ``destination``, made now if this state of it has none."""
    key = _content_key(source)
    folder = destination / key
    if (folder / MANIFEST).is_file():
        _touch(folder)  # in use: the newest builds are the ones kept
        return Build(key, folder / "static", _read_manifest(folder / MANIFEST))
    destination.mkdir(parents=True, exist_ok=True)
    scratch = destination / f".{key}.{os.getpid()}.{threading.get_ident()}"
    shutil.rmtree(scratch, ignore_errors=True)
    hashed = _write_hashed_copies(source, scratch / "static")
    (scratch / MANIFEST).write_text(
        "".join(f"{name}\t{hashed_name}\n" for name, hashed_name in sorted(hashed.items())),
        "utf-8",
    )
    try:
        scratch.rename(folder)
    except OSError:
        # Another process finished the same build first: theirs is identical, keep it.
        shutil.rmtree(scratch, ignore_errors=True)
        if not (folder / MANIFEST).is_file():
            raise
    _prune(destination, keep=folder)
    return Build(key, folder / "static", _read_manifest(folder / MANIFEST))


def _content_key(source: Path) -> str:
    """Names this state of ``static/``: every file's name and bytes, the build's own format and
    the compressors' versions (a few milliseconds for the whole folder)."""
    digest = hashlib.sha256(f"{BUILD_FORMAT} {_tools()}\n".encode())
    for path in _files(source):
        digest.update(f"{path.relative_to(source).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


@cache
def _tools() -> str:
    return " ".join(version(name) for name in ("whitenoise", "brotli"))


def _touch(folder: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(folder)


def _files(source: Path) -> list[Path]:
    return sorted(
        path
        for path in source.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(source).parts)
    )


def _hashed_name(name: str, content: bytes) -> str:
    path = PurePosixPath(name)
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def _imports(name: str, text: str) -> set[str]:
    """The static names a module imports by relative path."""
    base = PurePosixPath(name).parent
    return {
        os.path.normpath(str(base / match["spec"])).replace(os.sep, "/")
        for match in RELATIVE_IMPORT.finditer(text)
    }


def _write_hashed_copies(source: Path, folder: Path) -> dict[str, str]:
    """Writes every file under its own and its hashed name; returns name → hashed name.

    Modules are written after the modules they import, with their imports pointing at those
    modules' hashed names."""
    contents = {path.relative_to(source).as_posix(): path.read_bytes() for path in _files(source)}
    modules = {
        name: data.decode("utf-8")
        for name, data in contents.items()
        if name.startswith("js/") and name.endswith(".js")
    }
    graph = {name: _imports(name, text) & contents.keys() for name, text in modules.items()}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        circle = " → ".join(cycle.args[1])
        raise RuntimeError(f"static modules import each other in a circle: {circle}") from None
    order += [name for name in contents if name not in graph]

    hashed: dict[str, str] = {}
    for name in order:
        data = contents[name]
        if name in modules:
            data = _rewrite_imports(name, modules[name], hashed).encode("utf-8")
        hashed[name] = _hashed_name(name, data)
        _write(folder / hashed[name], data, folder / name)
    return hashed


def _write(path: Path, data: bytes, plain: Path) -> None:
    """Writes ``path`` with its Brotli and gzip variants where they are smaller (WhiteNoise's
    own compressor), then the same files under the plain name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    variants = COMPRESSOR.compress(str(path)) if COMPRESSOR.should_compress(path.name) else []
    shutil.copyfile(path, plain)
    for variant in variants:
        shutil.copyfile(variant, f"{plain}{variant.removeprefix(str(path))}")


def _rewrite_imports(name: str, text: str, hashed: dict[str, str]) -> str:
    base = PurePosixPath(name).parent

    def to_hashed(match: re.Match) -> str:
        target = os.path.normpath(str(base / match["spec"])).replace(os.sep, "/")
        if target not in hashed:
            return match[0]  # not a static file: left for the browser to report
        relative = os.path.relpath(hashed[target], str(base)).replace(os.sep, "/")
        spec = relative if relative.startswith(".") else f"./{relative}"
        return f"{match['head']}{match['quote']}{spec}{match['quote']}"

    return RELATIVE_IMPORT.sub(to_hashed, text)


def _read_manifest(path: Path) -> dict[str, str]:
    pairs = (line.split("\t") for line in path.read_text("utf-8").splitlines() if line)
    return {name: hashed_name for name, hashed_name in pairs}


def _builds(destination: Path) -> list[tuple[float, Path]]:
    """The finished builds, newest first (a build being written is a dot folder; one another
    process removes meanwhile is skipped)."""
    found = []
    for path in destination.iterdir():
        if path.name.startswith(".") or not (path / MANIFEST).is_file():
            continue
        with contextlib.suppress(OSError):
            found.append((path.stat().st_mtime, path))
    return sorted(found, reverse=True)


def _older_builds(destination: Path, latest: Build) -> list[Build]:
    """The kept builds other than ``latest``, oldest first."""
    older = []
    for _when, path in reversed(_builds(destination)):
        if path != latest.folder.parent:
            with contextlib.suppress(OSError, ValueError):
                older.append(Build(path.name, path / "static", _read_manifest(path / MANIFEST)))
    return older


def _prune(destination: Path, keep: Path) -> None:
    """Keeps the newest few builds."""
    older = [path for _when, path in _builds(destination) if path != keep]
    for old in older[BUILDS_KEPT - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
