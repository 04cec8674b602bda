"""Gunicorn settings for ``make run``: ``gunicorn -c gunicorn.conf.py wsgi:app``.

BIND (host:port) or PORT in the environment override the address; behind nginx keep
the default loopback address so the app is reachable only through the proxy.
"""

import os

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = 2
worker_class = "sync"
# An export or a report download may take a while on a small machine.
timeout = 60
accesslog = "-"
# Each worker builds its own app, so no database connection is shared across a fork.
preload_app = False
# Gunicorn 25+ opens a control socket in ~/.gunicorn, shared by every instance of the
# user; nothing here uses it (older versions ignore the setting).
control_socket_disable = True


def when_ready(server):
    for address in server.cfg.address:
        if isinstance(address, tuple):
            server.log.info("雍溪学法已启动：http://%s:%s （演示账号见上方）", *address)
