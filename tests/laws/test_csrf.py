"""With CSRF protection on, the law library's forms need the page's token."""

import re

import pytest

from tests.conftest import PASSWORD, count_rows, csrf_token
from tests.laws.law_fixtures import LAW_TEXT, URL, make_law
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawStatus


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def as_admin(client, admin):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"phone": admin.phone, "password": PASSWORD, "csrf_token": token})
    return client


def test_import_needs_the_token_at_each_step(as_admin, tree):
    data = {"title": "中华人民共和国示例管理法", "kind": "law", "text": LAW_TEXT}
    assert as_admin.post(URL + "import", data=data).status_code == 400
    token = csrf_token(as_admin.get(URL + "import").get_data(as_text=True))
    html = as_admin.post(URL + "import", data={**data, "csrf_token": token}).get_data(as_text=True)
    action = re.search(r'action="(/laws/import/[^"/]+/confirm)"', html).group(1)
    fields = dict(re.findall(r'name="(plan|csrf_token)" value="([^"]+)"', html))
    assert as_admin.post(action, data={"plan": fields["plan"]}).status_code == 400
    assert count_rows(Law) == 0
    assert as_admin.post(action, data=fields).status_code == 302
    assert count_rows(Law) == 1


def test_repeal_without_the_token_is_refused(as_admin, tree):
    law = make_law(tree["town"])
    assert as_admin.post(f"{URL}{law.id}/repeal").status_code == 400
    db.session.expire_all()
    assert db.session.get(Law, law.id).status is LawStatus.CURRENT
