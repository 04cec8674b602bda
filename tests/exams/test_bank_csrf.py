"""With CSRF protection on, the question bank's forms need the page's token."""

import io
import re

import pytest

from tests.conftest import PASSWORD, count_rows, csrf_token
from tests.exams.bank_fixtures import URL, add_question, row, xlsx
from yongxi_learn.exams.models import Question, QuestionStatus
from yongxi_learn.extensions import db


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def as_admin(client, admin):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"phone": admin.phone, "password": PASSWORD, "csrf_token": token})
    return client


def test_retire_without_the_token_is_refused(as_admin, tree):
    question = add_question(tree["town"])
    assert as_admin.post(f"{URL}{question.id}/retire").status_code == 400
    db.session.expire_all()
    assert db.session.get(Question, question.id).status is QuestionStatus.ACTIVE


def test_import_with_the_tokens_from_the_pages_works(as_admin):
    token = csrf_token(as_admin.get(URL + "import").get_data(as_text=True))
    data = {"file": (io.BytesIO(xlsx([row()])), "试题.xlsx"), "csrf_token": token}
    preview = as_admin.post(URL + "import", data=data, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert "确认导入" in html
    action = re.search(r'action="(/admin/questions/import/[^"/]+/confirm)"', html).group(1)
    fields = dict(re.findall(r'name="(plan|unit|csrf_token)" value="([^"]+)"', html))
    assert (
        as_admin.post(
            action, data={k: v for k, v in fields.items() if k != "csrf_token"}
        ).status_code
        == 400
    )
    assert count_rows(Question) == 0
    assert as_admin.post(action, data=fields).status_code == 200
    assert count_rows(Question) == 1
