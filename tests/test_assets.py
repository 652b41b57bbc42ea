"""Static files: content-hashed names served immutable and precompressed; HTML and JSON compressed
(careobs/assets.py, Flask-Compress)."""

from __future__ import annotations

import gzip
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import brotli
import pytest
from flask import Flask, url_for

from careobs import assets, create_app, resource_dir

STATIC = resource_dir("static")
HASHED = re.compile(r"^/static/(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<suffix>\.\w+)$")
FOREVER = "max-age=315360000, public, immutable"


def fetch(client, url: str, **kwargs):
    """The response, read whole and closed (WhiteNoise answers with an open file)."""
    with client.get(url, **kwargs) as response:
        response.get_data()
        return response


def hashed_url(app, name: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=name)


def test_static_addresses_carry_a_hash_of_the_content(app):
    url = hashed_url(app, "css/app.css")
    match = HASHED.match(url)
    assert match and match["stem"] == "css/app" and match["suffix"] == ".css", url
    source = (STATIC / "css/app.css").read_bytes()
    assert match["hash"] == assets.hashlib.sha256(source).hexdigest()[:12]


def test_a_hashed_file_is_served_immutable_and_compressed_as_the_browser_accepts(client, app):
    url = hashed_url(app, "vendor/chartjs/chart.umd.min.js")
    original = (STATIC / "vendor/chartjs/chart.umd.min.js").read_bytes()

    plain = fetch(client, url)
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == FOREVER
    assert "Content-Encoding" not in plain.headers
    assert plain.data == original

    for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = fetch(client, url, headers={"Accept-Encoding": f"{encoding}, identity"})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["Cache-Control"] == FOREVER
        assert int(response.headers["Content-Length"]) < len(original) / 2
        assert decompress(response.data) == original


def test_static_files_carry_the_security_headers_too(client, app):
    response = fetch(client, hashed_url(app, "js/app.js"))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_plain_name_still_answers_but_is_revalidated(client):
    response = fetch(client, "/static/css/app.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]
    assert "max-age=0" in response.headers["Cache-Control"]
    again = fetch(
        client, "/static/css/app.css", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_an_unknown_static_file_is_404(client):
    assert fetch(client, "/static/js/app.000000000000.js").status_code == 404


def test_modules_import_each_other_by_hashed_name_all_the_way_down(client, app):
    """Following every import from the capture pages' entry modules reaches only hashed files
    that exist, so a browser never mixes a module of one version with one of another."""
    seen, todo = (
        set(),
        [hashed_url(app, "js/visit-form.js"), hashed_url(app, "js/quis-recorder.js")],
    )
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = fetch(client, url)
        assert response.status_code == 200, url
        assert HASHED.match(url), url
        folder = url.rsplit("/", 1)[0]
        for spec in re.findall(r'(?:from|import)\s*\(?\s*"(\.[^"]+)"', response.get_data(True)):
            assert HASHED.match(f"{folder}/{spec[2:]}"), spec
            todo.append(f"{folder}/{spec[2:]}")
    assert hashed_url(app, "js/capture.js") in seen
    assert hashed_url(app, "js/wording.js") in seen


def test_the_service_worker_names_the_hashed_files(client, app):
    worker = fetch(client, "/sw.js").get_data(True)
    assert "/static/js/outbox-core.js" not in worker
    assert hashed_url(app, "js/outbox-core.js") in worker
    assert hashed_url(app, "vendor/idb/umd.js") in worker
    assert hashed_url(app, "img/icon-192.png") in worker
    shell = re.search(r"const SHELL = (\[.*?\]);", worker)[1]
    for url in re.findall(r'"(/static/[^"]+)"', shell):
        assert HASHED.match(url), url
        assert fetch(client, url).headers["Cache-Control"] == FOREVER


def test_pages_and_json_are_compressed_and_capture_pages_still_revalidate(client, auth, data):
    auth.login(data.organisation().supervisor)
    page = fetch(client, "/quis/record", headers={"Accept-Encoding": "br"})
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == "br"
    assert b"<html" in brotli.decompress(page.data)
    again = fetch(
        client,
        "/quis/record",
        headers={"Accept-Encoding": "br", "If-None-Match": page.headers["ETag"]},
    )
    assert again.status_code == 304
    assert again.data == b""

    bootstrap = fetch(client, "/api/v1/bootstrap", headers={"Accept-Encoding": "gzip"})
    assert bootstrap.status_code == 200
    assert bootstrap.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(bootstrap.data).startswith(b"{")


# --- the build itself, on a small static folder of its own --------------------------------------


def make_static(folder: Path) -> Path:
    (folder / "js").mkdir(parents=True)
    (folder / "js/a.js").write_text('import { b } from "./b.js";\nexport const a = b;\n')
    (folder / "js/b.js").write_text('export const b = "b".repeat(400);\n')
    (folder / "css").mkdir()
    (folder / "css/site.css").write_text("body { color: black; }\n" * 50)
    return folder


def test_a_change_to_a_module_renames_it_and_every_module_importing_it(tmp_path):
    static = make_static(tmp_path / "static")
    first = assets.build(static, tmp_path / "out")
    (static / "js/b.js").write_text('export const b = "changed".repeat(400);\n')
    second = assets.build(static, tmp_path / "out")
    assert second.hashed["js/b.js"] != first.hashed["js/b.js"]
    assert second.hashed["js/a.js"] != first.hashed["js/a.js"]  # it imports b
    assert second.hashed["css/site.css"] == first.hashed["css/site.css"]
    a = (second.folder / second.hashed["js/a.js"]).read_text()
    assert f'from "./{Path(second.hashed["js/b.js"]).name}"' in a
    assert (second.folder / f"{second.hashed['css/site.css']}.br").is_file()
    assert (second.folder / f"{second.hashed['css/site.css']}.gz").is_file()


def test_modules_importing_each_other_in_a_circle_are_refused_by_name(tmp_path):
    static = make_static(tmp_path / "static")
    (static / "js/b.js").write_text('import { a } from "./a.js";\nexport const b = a;\n')
    with pytest.raises(RuntimeError, match=r"circle: .*js/[ab]\.js"):
        assets.build(static, tmp_path / "out")


def _build_in_a_process(static: str, out: str) -> tuple[str, dict]:
    built = assets.build(Path(static), Path(out))
    return str(built.folder), built.hashed


def test_processes_starting_together_share_one_build(tmp_path):
    static = make_static(tmp_path / "static")
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=4, mp_context=context) as pool:
        builds = list(pool.map(_build_in_a_process, [str(static)] * 8, [str(tmp_path / "out")] * 8))
    assert len({folder for folder, _hashed in builds}) == 1
    assert all(hashed == builds[0][1] for _folder, hashed in builds)
    leftovers = [path.name for path in (tmp_path / "out").iterdir()]
    assert leftovers == [Path(builds[0][0]).parent.name]  # no half-written build left behind


def test_a_file_changed_in_place_is_rebuilt_even_with_the_same_size_and_time(tmp_path):
    """As rsync -a or an unpacked archive leave it: only the bytes tell."""
    static = make_static(tmp_path / "static")
    css = static / "css/site.css"
    first = assets.build(static, tmp_path / "out")
    status = css.stat()
    css.write_text(css.read_text().replace("black", "white"))
    os.utime(css, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert css.stat().st_size == status.st_size
    second = assets.build(static, tmp_path / "out")
    assert second.hashed["css/site.css"] != first.hashed["css/site.css"]
    assert "white" in (second.folder / "css/site.css").read_text()


def test_a_comment_naming_a_module_is_not_an_import(tmp_path):
    static = make_static(tmp_path / "static")
    (static / "js/b.js").write_text(
        '// Called back from "./a.js" once it has loaded.\nexport const b = 1;\n'
    )
    built = assets.build(static, tmp_path / "out")  # no false circle a → b → a
    assert "./a.js" in (built.folder / built.hashed["js/b.js"]).read_text()


def test_multi_line_and_dynamic_imports_are_rewritten(tmp_path):
    static = make_static(tmp_path / "static")
    (static / "js/a.js").write_text(
        'import {\n  b,\n} from "./b.js";\nexport const later = () => import("./b.js");\n'
    )
    built = assets.build(static, tmp_path / "out")
    a = (built.folder / built.hashed["js/a.js"]).read_text()
    b_name = Path(built.hashed["js/b.js"]).name
    assert a.count(f'"./{b_name}"') == 2 and '"./b.js"' not in a


def test_without_a_writable_asset_folder_the_app_still_serves_plain_names(tmp_path, monkeypatch):
    """A cron job run as another user must not fail because it cannot write the build."""
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("CAREOBS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("CAREOBS_ASSET_DIR", str(tmp_path / "not-a-folder" / "assets"))
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40})
    assert hashed_url(app, "css/app.css") == "/static/css/app.css"
    assert fetch(app.test_client(), "/static/css/app.css").status_code == 200


def test_in_development_a_changed_file_is_served_under_its_new_name(tmp_path):
    static = make_static(tmp_path / "static")
    app = Flask(__name__, static_folder=str(static))
    app.config.update(DEBUG=True, ASSET_DIR=str(tmp_path / "out"))
    assets.init_app(app)
    app.add_url_rule("/", "index", lambda: url_for("static", filename="css/site.css"))
    client = app.test_client()
    before = fetch(client, "/").get_data(True)
    (static / "css/site.css").write_text("body { color: navy; }\n")
    after = fetch(client, "/").get_data(True)
    assert after != before
    assert fetch(client, after).get_data(True) == "body { color: navy; }\n"
    # The name the page had a moment ago still answers (a page rendered before the change).
    old = fetch(client, before)
    assert old.status_code == 200 and "color: black" in old.get_data(True)
    assert old.headers["Cache-Control"] == FOREVER
