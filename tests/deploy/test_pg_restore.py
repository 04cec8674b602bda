"""The PostgreSQL backup of docs/deploy.md, done as it says: its daily script
(``pg_dump -Fc``, read back, renamed, old dumps pruned) run on the live test database,
its ``pg_restore`` line into a new database owned by the app's role, and the app on the
restored database serves what was there — the examinee logs in (a new row: the sequences
came back too) and sees the score of the exam handed in before the backup."""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, _config
from tests.deploy.conftest import ON_POSTGRESQL
from tests.deploy.docs import code_block
from tests.exams import conftest as exam_fixtures
from tests.exams.taking import begin, key_shown, post_answer
from tests.pgserver import find_bin_dir
from yongxi_learn import create_app
from yongxi_learn.auth.models import LoginSession
from yongxi_learn.core.formatting import format_score
from yongxi_learn.exams.models import Attempt, AttemptStatus
from yongxi_learn.extensions import db

pytestmark = pytest.mark.skipif(not ON_POSTGRESQL, reason="the PostgreSQL backup (pg_dump)")

make_question, bank, make_exam = (
    exam_fixtures.make_question,
    exam_fixtures.bank,
    exam_fixtures.make_exam,
)
cadre, other, exam = exam_fixtures.cadre, exam_fixtures.other, exam_fixtures.exam

# What the restored copy must hold as the original does.
TABLES = ["org_unit", "user", "question", "exam", "enrolment", "attempt", "attempt_question"]


def tool(name: str) -> str:
    bin_dir = find_bin_dir()
    if bin_dir is None or not (bin_dir / name).is_file():
        pytest.skip(f"{name} is not installed")
    return str(bin_dir / name)


def connection_args(url: sa.URL) -> list[str]:
    return ["-h", url.host, "-p", str(url.port), "-U", url.username]


def daily_dump(source: sa.URL, backups: Path) -> Path:
    """docs/deploy.md's ``yongxi-pgdump`` script, run on ``source`` into ``backups``
    (which holds a dump older than 30 days, to be pruned); returns today's dump."""
    script = backups.parent / "yongxi-pgdump"
    script.write_text(code_block("pg_dump -Fc -f"))
    backups.mkdir()
    old = backups / f"{source.database}-2000-01-01.dump"
    old.write_bytes(b"")
    month_ago = time.time() - 40 * 86400
    os.utime(old, (month_ago, month_ago))
    env = {
        **os.environ,
        "PATH": f"{os.path.dirname(tool('pg_dump'))}:{os.environ['PATH']}",
        "PGHOST": source.host,
        "PGPORT": str(source.port),
        "PGUSER": source.username,
        "PGDATABASE": source.database,
        "BACKUP_DIR": str(backups),
    }
    subprocess.run(["sh", str(script)], check=True, capture_output=True, env=env, timeout=120)
    # Today's dump, no .part left, the old one pruned.
    [today] = backups.iterdir()
    assert re.fullmatch(rf"{source.database}-\d{{4}}-\d\d-\d\d\.dump", today.name)
    return today


OWNER = "yongxi_owner"  # the app's role of docs/deploy.md (``createdb --owner yongxi``)


@pytest.fixture
def restored_url(db_url):
    """A new empty database beside the test database, owned by the app's role, dropped
    afterwards."""
    url = sa.make_url(db_url)
    name = f"{url.database}_restored"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        role = sa.text("SELECT 1 FROM pg_roles WHERE rolname = :name")
        if not conn.execute(role, {"name": OWNER}).first():
            conn.exec_driver_sql(f"CREATE ROLE {OWNER}")
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" OWNER {OWNER}')
    yield url.set(database=name)
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


def hand_in(client, login, cadre, exam) -> int:
    """The cadre takes the exam: every answer right but the last, left out; then 交卷."""
    login(cadre)
    attempt = begin(client, exam)
    for aq in attempt.questions[:-1]:
        saved = post_answer(client, attempt.id, position=aq.position, answer=key_shown(aq))
        assert saved.status_code == 200
    assert client.post(f"/exams/attempts/{attempt.id}/submit").status_code == 302
    db.session.commit()
    return attempt.id


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar() for t in TABLES}  # noqa: S608


def test_pg_dump_then_pg_restore_gives_the_app_its_data(
    app, client, login, cadre, exam, db_url, restored_url, tmp_path
):
    attempt_id = hand_in(client, login, cadre, exam)
    graded = db.session.get(Attempt, attempt_id)
    assert graded.status is AttemptStatus.SUBMITTED
    assert graded.score == graded.max_score - graded.questions[-1].score
    score, phone = graded.score, cadre.phone
    last_login = db.session.scalar(sa.select(sa.func.max(LoginSession.id)))
    before = counts(db.engine)
    db.session.commit()

    dump = daily_dump(sa.make_url(db_url), tmp_path / "backups")
    pg_restore = [tool("pg_restore"), "--no-owner", f"--role={OWNER}", "--exit-on-error"]
    pg_restore += [*connection_args(restored_url), "-d", restored_url.database, str(dump)]
    subprocess.run(pg_restore, check=True, capture_output=True, timeout=120)

    restored = create_app(_config(restored_url.render_as_string(hide_password=False)))
    with restored.app_context():
        try:
            assert counts(db.engine) == before
            owner = "SELECT tableowner FROM pg_tables WHERE tablename = 'attempt'"
            assert db.session.execute(sa.text(owner)).scalar() == OWNER
            browser = restored.test_client()
            page = browser.post("/login", data={"phone": phone, "password": PASSWORD})
            assert page.status_code == 302  # the person, the password hash: all there
            result = browser.get(f"/exams/attempts/{attempt_id}/result")
            assert result.status_code == 200
            assert f'<strong id="result-score">{format_score(score)}</strong>' in result.text
            # The new login got a new id: the sequences were restored with the rows.
            assert db.session.scalar(sa.select(sa.func.max(LoginSession.id))) == last_login + 1
            db.session.commit()
        finally:
            db.session.remove()
            db.engine.dispose()
