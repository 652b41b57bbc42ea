"""A server process of the login race tests: one careobs app served on a free port until stopped.

Kept apart from the test module so each spawned process imports only what it needs.
"""

from __future__ import annotations

import threading


def serve(config: dict, ports, stop) -> None:
    """Like one gunicorn worker: its own app and connection pool on the shared database. Puts
    its port on ``ports`` once it listens, and stops when ``stop`` is set."""
    from werkzeug.serving import make_server

    from careobs import create_app

    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="careobs-login-race")
    thread.start()
    ports.put(server.server_port)
    stop.wait()
    server.shutdown()
    thread.join()
    server.server_close()
    app.extensions["careobs.engine"].dispose()
