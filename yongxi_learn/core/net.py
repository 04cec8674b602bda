"""The client's address, as far as it can be trusted."""

from flask import request


def client_address() -> str:
    # request.remote_addr is the socket peer unless ProxyFix was configured for the
    # number of trusted proxies (PROXY_FIX_X_FOR); a client-sent X-Forwarded-For is
    # never read directly, so forging it changes nothing.
    return request.remote_addr or "unknown"
