"""Questions point at the law library: the bank form, the import, review."""

import io
import re

import pytest

from tests.exams.bank_fixtures import FORM, row, xlsx
from tests.laws.law_fixtures import AMENDED_TEXT, make_law, make_penalty_law
from yongxi_learn.exams.models import Question
from yongxi_learn.extensions import db
from yongxi_learn.laws import services as laws
from yongxi_learn.laws.parser import parse_text
from yongxi_learn.laws.services import LawMeta
from yongxi_learn.org.services import SYSTEM

BANK = "/admin/questions/"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


@pytest.fixture
def law(tree):
    return make_law(tree["district"])


def test_the_admin_picks_a_law_and_an_article_by_its_label(as_admin, law):
    page = text(as_admin.get(BANK + "new"))
    assert f'<option value="{law.id}">中华人民共和国示例管理法</option>' in page
    data = {**FORM, "law_id": str(law.id), "law_ref": "", "article_ref": "10条之1"}
    assert as_admin.post(BANK + "new", data=data).status_code == 302
    question = db.session.query(Question).one()
    assert question.law_id == law.id
    assert question.article_id == laws.find_article(law, "第十条之一").id
    assert (question.law_ref, question.article_ref) == ("中华人民共和国示例管理法", "第十条之一")
    page = text(as_admin.get(f"{BANK}{question.id}"))
    assert f"/laws/{law.id}?article={question.article_id}#a{question.article_id}" in page


def test_an_article_beyond_the_last_of_a_whole_law_is_refused(as_admin, tree):
    law = make_penalty_law(tree["district"], whole=True)
    data = {**FORM, "law_id": str(law.id), "article_ref": "第九十九条"}
    html = text(as_admin.post(BANK + "new", data=data))
    assert "《中华人民共和国行政处罚法》共86条，没有第九十九条" in html
    assert db.session.query(Question).count() == 0


def test_a_law_that_is_not_current_cannot_be_picked(as_admin, law):
    laws.import_version(law, LawMeta.of(law), parse_text(AMENDED_TEXT), actor=SYSTEM)
    db.session.commit()
    data = {**FORM, "law_id": str(law.id), "article_ref": ""}
    assert "请选择法规库中现行有效的法规" in text(as_admin.post(BANK + "new", data=data))
    assert db.session.query(Question).count() == 0


def test_without_a_law_the_free_text_stays_as_before(as_admin, law):
    assert as_admin.post(BANK + "new", data={**FORM, "law_id": "0"}).status_code == 302
    question = db.session.query(Question).one()
    assert (question.law_id, question.law_ref) == (None, FORM["law_ref"])


def test_a_flagged_question_is_cleared_by_repointing_in_the_form(as_admin, law, tree):
    as_admin.post(BANK + "new", data={**FORM, "law_id": str(law.id), "article_ref": "第十条"})
    question = db.session.query(Question).one()
    newer = laws.import_version(law, LawMeta.of(law), parse_text(AMENDED_TEXT), actor=SYSTEM)
    db.session.commit()
    page = text(as_admin.get(f"{BANK}{question.id}"))
    assert "待复核" in page and "（第1版，已修改）" in page and "复核完成</button>" not in page
    data = {**FORM, "law_id": str(newer.id), "article_ref": "第十条"}
    assert as_admin.post(f"{BANK}{question.id}", data=data).status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert (question.needs_review, question.law_id) == (False, newer.id)
    assert "没有符合条件的题目" in text(as_admin.get(BANK, query_string={"review": "1"}))


def test_review_can_be_marked_done_once_the_law_is_current(as_admin, law, tree):
    as_admin.post(BANK + "new", data={**FORM, "law_id": str(law.id), "article_ref": ""})
    question = db.session.query(Question).one()
    question.needs_review = True
    db.session.commit()
    assert as_admin.post(f"{BANK}{question.id}/reviewed").status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).needs_review is False


def test_the_import_links_a_named_law_and_checks_its_article(as_admin, law, tree):
    make_penalty_law(tree["district"], whole=True)
    good = row(stem="示例管理的原则是（ ）。", law="示例管理法", article="第十条之一")
    bad = row(stem="另一题（ ）。", law="行政处罚法", article="第九十九条")
    unknown = row(stem="第三题（ ）。", law="某某条例", article="第一条")
    content = xlsx([good, bad, unknown])
    data = {"file": (io.BytesIO(content), "试题.xlsx")}
    html = text(as_admin.post(BANK + "import", data=data, content_type="multipart/form-data"))
    assert "第3行「条款」：《中华人民共和国行政处罚法》共86条，没有第九十九条" in html
    content = xlsx([good, unknown])
    data = {"file": (io.BytesIO(content), "试题.xlsx")}
    html = text(as_admin.post(BANK + "import", data=data, content_type="multipart/form-data"))
    assert "可导入 2 题" in html
    action = re.search(r'action="(/admin/questions/import/[^"/]+/confirm)"', html).group(1)
    fields = dict(re.findall(r'name="(plan|unit)" value="([^"]+)"', html))
    assert as_admin.post(action, data=fields).status_code == 200
    linked = {q.stem: (q.law_id, q.article_ref) for q in db.session.query(Question)}
    assert linked == {
        "示例管理的原则是（ ）。": (law.id, "第十条之一"),
        "第三题（ ）。": (None, "第一条"),
    }
