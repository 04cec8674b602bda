"""docs/deploy.md's nginx configuration, read from the page and run by a real nginx in
front of two gunicorns in production mode (HTTPS only, one proxy trusted): plain HTTP is
sent to HTTPS, a login and its pages go through to both app servers, the client cannot
forge its address, static files keep their year-long cache headers, course audio is sent
by nginx (X-Accel-Redirect) with Range, an upload over 8 MB stops at nginx, and with one
app server gone the other answers everything."""

import contextlib
import re
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.conftest import PASSWORD
from tests.courses.helpers import make_course
from tests.deploy.conftest import ON_POSTGRESQL, need
from tests.deploy.docs import code_block
from tests.gunicorn_server import GUNICORN, Browser, free_port, running_gunicorn
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawKind
from yongxi_learn.org.audit import AuditLog

pytestmark = pytest.mark.skipif(not ON_POSTGRESQL, reason="a district runs on PostgreSQL")

NGINX = Path("/usr/sbin/nginx")
OPENSSL = Path("/usr/bin/openssl")


def site_config(
    upstreams: list[str], http_port: int, https_port: int, tls: Path, media: Path
) -> str:
    """The page's site configuration, with this machine's addresses, certificate and
    shared media folder."""
    site = code_block("upstream yongxi_app")
    site = site.replace("alias /srv/yongxi-learn/instance/media/;", f"alias {media}/;")
    documented = re.findall(r"^ *server 10\.0\.0\.\d+:8000(.*);$", site, re.MULTILINE)
    assert len(documented) >= 2  # two or more app servers
    servers = "".join(f"    server {u}{documented[0]};\n" for u in upstreams)
    site = re.sub(r"(^ *server 10\.0\.0\.\d+:8000.*;\n)+", servers, site, flags=re.MULTILINE)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    site = re.sub(r"ssl_certificate +\S+;", f"ssl_certificate {tls / 'cert.pem'};", site)
    return re.sub(r"ssl_certificate_key +\S+;", f"ssl_certificate_key {tls / 'key.pem'};", site)


def main_config(work: Path, site: str) -> str:
    """The page's nginx.conf lines, with the paths of a throwaway prefix."""
    top = code_block("worker_rlimit_nofile")
    temp = "".join(
        f"    {kind}_temp_path {work / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nuser root;\npid {work / 'nginx.pid'};\n{top}\n"
        f"http {{\n    access_log {work / 'access.log'};\n{temp}{site}\n}}\n"
    )


@contextlib.contextmanager
def running_nginx(config: str, work: Path, https_port: int):
    conf = work / "nginx.conf"
    conf.write_text(config)
    args = [str(NGINX), "-p", str(work), "-c", str(conf), "-e", str(work / "error.log")]
    checked = subprocess.run([*args, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            ping = f"https://127.0.0.1:{https_port}/ping"
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(ping, context=insecure(), timeout=2) as response,
            ):
                if response.status == 200:
                    break
            assert process.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def insecure() -> ssl.SSLContext:
    """The test's self-signed certificate is not checked."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def certificate(directory: Path) -> Path:
    directory.mkdir()
    args = [str(OPENSSL), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    args += ["-subj", "/CN=127.0.0.1", "-keyout", str(directory / "key.pem")]
    args += ["-out", str(directory / "cert.pem")]
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return directory


def test_the_documented_nginx_in_front_of_two_app_servers(
    db_url, tmp_path, tmp_path_factory, make_user, tree
):
    for tool, what in ((GUNICORN, "gunicorn"), (NGINX, "nginx"), (OPENSSL, "openssl")):
        need(tool, what)
    phone = make_user("聂代理", tree["office"]).phone
    media_id, audio = _course_audio(tree["town"])
    env = {"YONGXI_PRODUCTION": "1", "PROXY_FIX_X_FOR": "1", "MEDIA_X_ACCEL": "/protected-media/"}
    http_port, https_port = free_port(), free_port()
    work = tmp_path / "nginx"
    work.mkdir()
    with contextlib.ExitStack() as stack:
        a = stack.enter_context(running_gunicorn(db_url, tmp_path_factory.mktemp("a"), **env))
        b_stack = stack.enter_context(contextlib.ExitStack())
        b = b_stack.enter_context(running_gunicorn(db_url, tmp_path_factory.mktemp("b"), **env))
        upstreams = [server.url.removeprefix("http://") for server in (a, b)]
        tls, media = certificate(tmp_path / "tls"), Path(current_app.instance_path) / "media"
        site = site_config(upstreams, http_port, https_port, tls, media)
        stack.enter_context(running_nginx(main_config(work, site), work, https_port))
        site_url = f"https://127.0.0.1:{https_port}"

        plain = Browser(f"http://127.0.0.1:{http_port}").get("/login")
        assert plain.status == 301 and plain.location == "https://127.0.0.1/login"

        # A forged X-Forwarded-For is not believed: the app sees nginx's client address.
        # A browser sends the page's origin with a form (the CSRF check of HTTPS wants it).
        origin = {"Referer": f"{site_url}/"}
        me = Browser(site_url, {**origin, "X-Forwarded-For": "6.6.6.6"}, tls=insecure())
        login = me.log_in(phone, PASSWORD)
        assert login.status == 302, login.text[:300]
        assert "Secure" in login.headers.get("Set-Cookie", "")
        assert _login_addresses() == ["127.0.0.1"]
        for _ in range(6):
            page = me.get("/exams/")
            assert page.status == 200 and "max-age" in page.headers["Strict-Transport-Security"]
        assert a.answered_by("GET", "/exams/") and b.answered_by("GET", "/exams/")

        css = re.search(r'href="(/static/css/app\.[0-9a-f]{10}\.css)"', page.text).group(1)
        static = me.get(css)
        assert static.status == 200 and "immutable" in static.headers["Cache-Control"]

        # The app checks who may play it; nginx sends the bytes, a range at a time.
        status, headers, body = _fetch(me, f"/courses/media/{media_id}", "bytes=100-199")
        assert status == 206 and body == audio[100:200], status
        assert headers["Content-Range"] == f"bytes 100-199/{len(audio)}"
        assert headers["Content-Type"] == "audio/mpeg"
        assert _fetch(me, f"/courses/media/{media_id}", f"bytes={len(audio) + 9}-")[0] == 416
        stored = next(media.iterdir()).name
        assert _fetch(me, f"/protected-media/{stored}", "bytes=0-9")[0] == 404  # internal

        too_big = me.post("/login", form={"phone": "x" * (9 * 1024 * 1024)})
        assert too_big.status == 413
        posts_seen = a.output().count("POST /login") + b.output().count("POST /login")
        assert posts_seen == 1  # the login, not the upload

        b_stack.close()  # app server B goes away: A answers every page and POST
        for _ in range(4):
            assert me.get("/exams/").status == 200
        assert me.get("/profile").status == 200  # 退出 is on 我的
        assert me.post("/logout", form={}).status == 302
        assert Browser(site_url, origin, tls=insecure()).log_in(phone, PASSWORD).status == 302


def _course_audio(town) -> tuple[int, bytes]:
    """A published course of the town with an MP3, stored in the test's instance/media."""
    law = Law(owner_unit=town, title="示例法", kind=LawKind.LAW)
    db.session.add(law)
    db.session.commit()
    course = make_course(town, law)
    found = next(p.media for p in course.parts if p.media)
    media_id, data = found.id, (Path(current_app.instance_path) / "media" / found.stored_name)
    db.session.commit()
    return media_id, data.read_bytes()


def _fetch(browser: Browser, path: str, ranged: str) -> tuple[int, Message, bytes]:
    """The raw bytes of a ranged GET (Browser.request decodes text)."""
    headers = {**browser.headers, "Range": ranged}
    request = urllib.request.Request(browser.base_url + path, headers=headers)  # noqa: S310
    try:
        with browser.opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _login_addresses() -> list[str]:
    rows = db.session.scalars(sa.select(AuditLog.address).where(AuditLog.action == "login"))
    addresses = list(rows)
    db.session.commit()
    return addresses
