"""The migrations build, from an empty database, exactly the schema the models describe
(on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from tests.databases import empty_database_url, migration_app  # noqa: F401  (a fixture)
from yongxi_learn.extensions import db


def test_upgrade_from_empty_leaves_nothing_to_autogenerate(
    empty_database_url,  # noqa: F811  (the fixture)
    tmp_path,
    monkeypatch,
):
    app = migration_app(empty_database_url, tmp_path, monkeypatch)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


# Rows of session 1's schema (revision d4fc2a0bef4a) that later table rebuilds must keep:
# an exam with a question asked in an attempt, so exam and question are referenced.
OLD_ROWS = [
    "INSERT INTO org_unit (id, name, kind, parent_id, path, sort_order, active, created_at)"
    " VALUES (1, '雍溪镇', 'town', NULL, '/1/', 0, true, '2024-01-01')",
    'INSERT INTO "user" (id, name, name_sort, phone, password_hash, must_change_password,'
    " unit_id, category, post, active, failed_logins, created_at)"
    " VALUES (1, '张三', 'zhang san', '13900000001', 'x', false, 1, 'official', '', true, 0,"
    " '2024-01-01')",
    "INSERT INTO question (id, owner_unit_id, type, stem, options, answer, explanation,"
    " difficulty, score, tags, law_ref, article_ref, status, version, needs_review,"
    " created_at, updated_at) VALUES (1, 1, 'single', '题干', '[\"甲\", \"乙\"]', 'A', '', 2,"
    " 2, '', '宪法', '', 'active', 1, false, '2024-01-01', '2024-01-01')",
    "INSERT INTO exam (id, owner_unit_id, title, kind, year, status, pass_score,"
    " max_attempts, shuffle_questions, shuffle_options, review_policy, audience, created_at)"
    " VALUES (1, 1, '考试', 'formal', 2024, 'published', 60, 1, true, true, 'immediate', '{}',"
    " '2024-01-01')",
    "INSERT INTO attempt (id, exam_id, user_id, number, status, started_at, max_score)"
    " VALUES (1, 1, 1, 1, 'submitted', '2024-01-01', 2)",
    "INSERT INTO attempt_question (id, attempt_id, position, question_id, option_order,"
    " score, response, seq) VALUES (1, 1, 1, 1, '[0, 1]', 2, 'A', 1)",
]


def test_a_populated_database_upgrades_through_the_table_rebuilds(
    empty_database_url,  # noqa: F811  (the fixture)
    tmp_path,
    monkeypatch,
):
    """SQLite rebuilds a table to alter it; with foreign keys on, dropping the old copy
    of a table others point at failed on a database that held data."""
    app = migration_app(empty_database_url, tmp_path, monkeypatch)
    with app.app_context():
        upgrade(revision="d4fc2a0bef4a")
        with db.engine.begin() as conn:
            for statement in OLD_ROWS:
                conn.exec_driver_sql(statement)
        upgrade()
        with db.engine.connect() as conn:
            counts = [
                conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()  # noqa: S608
                for t in ("exam", "question", "attempt", "attempt_question")
            ]
            personal = conn.exec_driver_sql("SELECT personal FROM exam").scalar()
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
    assert counts == [1, 1, 1, 1] and not personal
