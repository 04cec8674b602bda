"""PostgreSQL stops in the middle of the day: every request gets a Chinese 503 page
(JSON for the exam's autosave), never a traceback; when it is back, the same app
serves again without a restart (dead pooled connections are replaced), and the person
is still logged in."""

import pytest

from tests.conftest import PASSWORD, _config
from tests.pgserver import PgServerError, find_bin_dir, temporary_server
from yongxi_learn import create_app
from yongxi_learn.auth.passwords import hash_password
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category, OrgUnit, UnitKind, User

pytestmark = pytest.mark.skipif(find_bin_dir() is None, reason="PostgreSQL is not installed")


@pytest.fixture(scope="module")
def pg():
    try:
        with temporary_server() as server:
            yield server
    except PgServerError as exc:  # pragma: no cover - a broken installation
        pytest.skip(f"PostgreSQL test server: {exc}")


@pytest.fixture
def outage_app(pg, tmp_path):
    app = create_app(_config(pg.url, PROPAGATE_EXCEPTIONS=False))
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
        unit = OrgUnit(name="雍溪镇", kind=UnitKind.TOWN, path="/")
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
        person = User(
            name="李四",
            name_sort="li si",
            phone="13700009999",
            unit=unit,
            category=Category.OFFICIAL,
            post="",
            password_hash=hash_password(PASSWORD),
            must_change_password=False,
            active=True,
        )
        db.session.add(person)
        db.session.commit()
    yield app  # no app context kept: each request has its own, as in production
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def test_database_outage_gives_a_chinese_503_and_the_app_recovers(outage_app, pg):
    client = outage_app.test_client()
    logged_in = client.post("/login", data={"phone": "13700009999", "password": PASSWORD})
    assert logged_in.status_code == 302
    assert client.get("/").status_code == 200

    pg.stop()
    try:
        page = client.get("/")
        assert page.status_code == 503
        assert "系统暂时无法访问" in page.text and "Traceback" not in page.text
        assert page.headers["Retry-After"] == "30"
        saved = client.post(
            "/exams/attempts/1/answer",
            json={"position": 1, "answer": "A"},
            headers={"Accept": "application/json"},
        )
        assert saved.status_code == 503 and saved.get_json()["error"] == "系统暂时无法访问"
        assert client.get("/healthz").status_code == 503
    finally:
        pg.start_again()

    assert client.get("/healthz").status_code == 200
    home = client.get("/")
    assert home.status_code == 200 and "李四" in home.text


def test_a_restart_while_the_app_is_idle_costs_no_request(outage_app, pg):
    """Pooled connections the server closed are replaced before use, not found dead
    by a person's request (which would get the 503 page)."""
    client = outage_app.test_client()
    client.post("/login", data={"phone": "13700009999", "password": PASSWORD})
    assert client.get("/").status_code == 200  # a connection now waits in the pool

    pg.stop()
    pg.start_again()

    home = client.get("/")
    assert home.status_code == 200 and "李四" in home.text
    autosave = client.post("/exams/attempts/1/answer", json={"position": 1, "answer": "A"})
    assert autosave.status_code != 503
