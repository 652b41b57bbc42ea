"""Static files with content-hashed names, precompressed, served by WhiteNoise.

Every file under ``static/`` gets a second name carrying a hash of its content
(``js/app.js`` → ``js/app.3f9c1a2b7d4e.js``), and ``url_for('static', ...)`` gives that name.
Hashed names are served with ``Cache-Control: immutable`` for a year or more: a changed file
has a new name, so browsers never ask for an unchanged one again. Each text file is compressed
once, with Brotli and gzip, and WhiteNoise picks the variant the browser accepts.

The ES modules under ``static/js`` import each other by relative path (``./push.js``); the copies
are rewritten to import the hashed names, so a module's hash covers the modules it imports and
a browser never mixes an old module with a new one.

The build goes to ``ASSET_DIR`` (default ``<instance>/assets``), one directory per state of
``static/`` (its files under ``static/``, the list of hashed names beside them), written once and
renamed into place, so processes starting together share it and
an installed package's read-only ``static/`` is never written to.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from dataclasses import dataclass
from functools import cached_property
from graphlib import CycleError, TopologicalSorter
from pathlib import Path, PurePosixPath

from flask import Flask

from careobs.security import headers_for_every_response

HASH_LENGTH = 12
BUILDS_KEPT = 3  # older builds may still be served by a process that has not restarted yet
MANIFEST = "manifest.txt"
ONE_YEAR = 365 * 24 * 60 * 60

# `import … from "./x.js"`, `import "./x.js"`, `export … from "./x.js"` and `import("./x.js")`.
RELATIVE_IMPORT = re.compile(
    r"""(?P<head>\b(?:from|import)\s*\(?\s*)(?P<quote>["'])(?P<spec>\.{1,2}/[^"'\s]+\.js)(?P=quote)"""
)


@dataclass(frozen=True)
class Build:
    """One build of ``static/``: where it lies and each source name's hashed name."""

    key: str
    folder: Path  # the files to serve; the manifest lies beside them
    hashed: dict[str, str]

    @cached_property
    def immutable_names(self) -> frozenset[str]:
        return frozenset(self.hashed.values())


def init_app(app: Flask) -> None:
    """Build (or find) the hashed copies, serve them with WhiteNoise, hash ``url_for``."""
    from whitenoise import WhiteNoise

    source = Path(app.static_folder)
    destination = Path(app.config["ASSET_DIR"])
    prefix = f"/{app.static_url_path.strip('/')}/"
    state = {"build": build(source, destination)}

    def immutable(_path: str, url: str) -> bool:
        return url.removeprefix(prefix) in state["build"].immutable_names

    security = headers_for_every_response(bool(app.config.get("CAREOBS_PRODUCTION")))

    def add_security_headers(headers, _path: str, _url: str) -> None:
        for name, value in security.items():
            headers[name] = value

    server = WhiteNoise(
        app.wsgi_app,
        max_age=0,  # an unhashed name is revalidated (ETag, Last-Modified), never trusted
        allow_all_origins=False,  # only careobs's own pages use these files
        immutable_file_test=immutable,
        add_headers_function=add_security_headers,
    )
    server.add_files(str(state["build"].folder), prefix=prefix)
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
                if _state_key(source) != state["build"].key:
                    state["build"] = build(source, destination)
                    server.files = {}
                    server.add_files(str(state["build"].folder), prefix=prefix)


def build(source: Path, destination: Path) -> Build:
    """The build of ``source`` in ``destination``, made now if this state of it has none."""
    key = _state_key(source)
    folder = destination / key
    if (folder / MANIFEST).is_file():
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


def _state_key(source: Path) -> str:
    """Names this state of ``static/`` from each file's path, size and modification time
    (cheap enough to check on every request in development)."""
    digest = hashlib.sha256()
    for path in _files(source):
        status = path.stat()
        digest.update(
            f"{path.relative_to(source)}\0{status.st_size}\0{status.st_mtime_ns}\n".encode()
        )
    return digest.hexdigest()[:16]


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
    from whitenoise.compress import Compressor

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    compressor = Compressor(quiet=True)
    variants = compressor.compress(str(path)) if compressor.should_compress(path.name) else []
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


def _prune(destination: Path, keep: Path) -> None:
    """Keeps the newest few builds; a build being written (a dot directory) is left alone."""
    builds = sorted(
        (path for path in destination.iterdir() if path.is_dir() and not path.name.startswith(".")),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for old in [path for path in builds if path != keep][BUILDS_KEPT - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
