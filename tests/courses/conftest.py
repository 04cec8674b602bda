"""Fixtures of the course tests: a law with articles, a small question bank, and a
published 2026 course of 雍溪镇 (law articles, an MP3, a 3-question quiz)."""

import io
from decimal import Decimal

import pytest

from tests.courses.helpers import make_course
from tests.exams.paper_fixtures import make_questions
from yongxi_learn.exams.models import QuestionType
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawArticle, LawKind
from yongxi_learn.org.models import Role


@pytest.fixture(autouse=True)
def _app(app):
    return app


@pytest.fixture
def law(tree):
    law = Law(owner_unit=tree["town"], title="中华人民共和国行政处罚法", kind=LawKind.LAW)
    for n in range(1, 4):
        law.articles.append(
            LawArticle(position=n - 1, number=n, label=f"第{n}条", text=f"示例条文内容{n}")
        )
    db.session.add(law)
    db.session.commit()
    return law


@pytest.fixture
def bank(tree):
    return make_questions(tree["town"], QuestionType.JUDGE, n=5)


@pytest.fixture
def course(tree, law, bank):
    return make_course(tree["town"], law, credit=Decimal("2.5"), quiz_size=3)


@pytest.fixture
def cadre(make_user, tree):
    return make_user("李学员", tree["office"])


@pytest.fixture
def b_admin(make_user, tree):
    return make_user("宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])


@pytest.fixture
def b_person(make_user, tree):
    return make_user("宝顶村干部", tree["other_village"])


def upload(client, course_id, data: bytes, filename: str, kind: str):
    return client.post(
        f"/admin/courses/{course_id}/parts",
        data={"kind": "media", "media_kind": kind, "media_file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
