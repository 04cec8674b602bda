"""Error pages in Chinese, and domain exceptions turned into HTTP answers."""

import logging

import redis.exceptions
import sqlalchemy as sa
from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError

from ..extensions import db, login_manager
from . import patches
from .exceptions import NotFound, PermissionDenied

MESSAGES = {
    400: ("请求无效", "提交的内容无法处理，请返回后重试。"),
    403: ("无权访问", "您没有访问此页面或执行此操作的权限。"),
    404: ("页面不存在", "您要找的页面不存在，或您无权查看。"),
    405: ("请求方式不正确", "请通过页面上的按钮或链接操作。"),
    413: ("文件过大", "上传的文件超过了允许的大小。"),
    429: ("操作过于频繁", "请求次数过多，请稍后再试。"),
    500: ("服务器出错", "系统暂时出现问题，请稍后再试。如一直出现，请联系管理员。"),
}
# The store of the login limits (Redis) is unreachable: a login cannot be counted, so it
# waits; whoever is logged in is not affected (docs/deploy.md, Redis).
LIMITS_UNAVAILABLE = (
    "暂时无法登录",
    "登录次数的计数服务暂时无法连接，请稍候一两分钟后重试；已登录的人员不受影响。",
)


def _render(code: int):
    title, text = MESSAGES[code]
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "message": text}, code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def _server_error(_exc):
    # The failed request may have left the transaction unusable; the page itself
    # queries (the logged-in user, site settings), so start afresh.
    db.session.rollback()
    return _render(500)


UNAVAILABLE = ("系统暂时无法访问", "数据库暂时无法连接，请稍候一两分钟后重试。")
log = logging.getLogger(__name__)


def _database_unavailable(exc):
    """The database went away (restart, network): a Chinese 503, never a traceback.

    Connections it broke are dropped from the pool (SQLAlchemy renews every older
    one after a disconnect), and a connection the server closed is replaced at
    checkout (core.db), so the app recovers by itself once the database is back.
    """
    log.warning("database unavailable: %s", exc)
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.close()
    # The layout and the security headers ask who is logged in: do not ask the database.
    patches.forget_login(login_manager.anonymous_user())
    if request.accept_mimetypes.best == "application/json":
        body, status = {"error": UNAVAILABLE[0], "message": UNAVAILABLE[1]}, 503
        return body, status, {"Retry-After": "30"}
    return render_template("errors/unavailable.html"), 503, {"Retry-After": "30"}


def _limits_unavailable(exc):
    """The rate-limit store went away: the request it guards (a login, a 签到码) is
    refused with a Chinese 503, never let through uncounted."""
    log.warning("rate-limit store unavailable: %s", exc)
    db.session.rollback()
    title, text = LIMITS_UNAVAILABLE
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "message": text}, 503, {"Retry-After": "60"}
    page = render_template("errors/error.html", code=503, title=title, text=text)
    return page, 503, {"Retry-After": "60"}


def _out_of_range(exc):
    """A number or date the database cannot hold (PostgreSQL's DataError, SQLite's
    OverflowError, a date before year 1) reached a query: the request was bad, the
    server is fine. core/inputs bounds what it can; this catches what a form let by."""
    log.warning("input out of range: %s", exc)
    db.session.rollback()
    return _render(400)


def init_app(app: Flask) -> None:
    app.register_error_handler(sa.exc.DataError, _out_of_range)
    app.register_error_handler(OverflowError, _out_of_range)
    app.register_error_handler(sa.exc.OperationalError, _database_unavailable)
    app.register_error_handler(sa.exc.InterfaceError, _database_unavailable)
    for error in (StorageError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        app.register_error_handler(error, _limits_unavailable)
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: _render(code))
    app.register_error_handler(500, _server_error)
    app.register_error_handler(PermissionDenied, lambda e: _render(403))
    app.register_error_handler(NotFound, lambda e: _render(404))

    def _csrf(e):
        title, text = "页面已过期", "页面已过期或来源无法验证，请刷新页面后重新提交。"
        if request.accept_mimetypes.best == "application/json":
            # A page's script (an exam's autosave) says this in words, not "网络断开".
            return {"ok": False, "reason": "csrf", "error": title, "message": text}, 400
        return render_template("errors/error.html", code=400, title=title, text=text), 400

    app.register_error_handler(CSRFError, _csrf)
