"""Question bank pages: list and filters, create, edit and versions, retire, categories,
scope (another town's question is 404, a learner gets 403)."""

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.exams.bank_fixtures import FORM, URL, add_question, use_in_attempt
from yongxi_learn.exams.bank import services as bank
from yongxi_learn.exams.models import Question, QuestionCategory, QuestionStatus
from yongxi_learn.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def reload(question) -> Question:
    db.session.expire_all()
    return db.session.get(Question, question.id)


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


# ---------------------------------------------------------------- access


def test_learner_gets_403_everywhere(client, login, learner, tree):
    question = add_question(tree["town"])
    login(learner)
    for url in (URL, URL + "new", f"{URL}{question.id}", URL + "import", URL + "categories"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{URL}{question.id}/retire").status_code == 403
    assert reload(question).status is QuestionStatus.ACTIVE


def test_unit_admin_without_exam_rights_gets_403(client, login, unit_admin):
    login(unit_admin)
    assert client.get(URL).status_code == 403


def test_another_towns_question_is_404_and_unchanged(as_admin, tree):
    question = add_question(tree["other_town"], stem="宝顶镇的题")
    assert as_admin.get(f"{URL}{question.id}").status_code == 404
    assert as_admin.post(f"{URL}{question.id}", data={**FORM, "stem": "改"}).status_code == 404
    assert as_admin.post(f"{URL}{question.id}/retire").status_code == 404
    assert as_admin.post(f"{URL}{question.id}/delete").status_code == 404
    assert "宝顶镇的题" not in text(as_admin.get(URL + "?status=all"))
    fresh = reload(question)
    assert (fresh.stem, fresh.status) == ("宝顶镇的题", QuestionStatus.ACTIVE)


def test_another_towns_category_is_404(as_admin, tree):
    category = bank.create_category("外镇分类", tree["other_town"], actor=bank.Actor(None))
    db.session.commit()
    url = f"{URL}categories/{category.id}/rename"
    assert as_admin.post(url, data={"name": "改"}).status_code == 404
    response = as_admin.post(URL + "new", data={**FORM, "category_id": category.id})
    assert response.status_code == 200 and count_rows(Question) == 0
    assert "外镇分类" not in text(as_admin.get(URL + "categories"))


def test_nav_and_home_link_to_the_bank(as_admin):
    page = text(as_admin.get("/"))
    assert page.count('href="/admin/questions/"') >= 2


# ---------------------------------------------------------------- list


def test_list_filters_and_pages(as_admin, app, tree):
    app.config["PER_PAGE"] = 2
    for i in range(3):
        add_question(tree["town"], stem=f"宪法题{i}", law_ref="宪法")
    add_question(tree["town"], stem="民法典题", law_ref="民法典")
    page = text(as_admin.get(URL + "?law=宪法"))
    assert "共 3 题" in page and "民法典题" not in page
    assert "第 1 / 2 页" in page and "law=%E5%AE%AA%E6%B3%95" in page
    assert "民法典题" in text(as_admin.get(URL + "?q=民法"))
    assert "共 0 题" in text(as_admin.get(URL + "?type=judge"))
    assert "/admin/questions/export.xlsx?law=" in page


def test_list_marks_used_questions(as_admin, tree, learner):
    question = add_question(tree["town"])
    use_in_attempt(question, learner)
    assert "已使用" in text(as_admin.get(URL))


# ---------------------------------------------------------------- create and edit


def test_create_question_through_the_form(as_admin, tree):
    response = as_admin.post(URL + "new", data=FORM)
    assert response.status_code == 302
    (question,) = db.session.scalars(sa.select(Question)).all()
    assert (question.owner_unit_id, question.options, question.answer) == (
        tree["town"].id,
        ["警告", "罚款", "记过"],
        "C",
    )


def test_form_shows_each_problem_under_its_field(as_admin):
    data = {**FORM, "stem": "", "option_b": "", "answer": "AB", "score": "0"}
    page = text(as_admin.post(URL + "new", data=data))
    assert "请填写题干" in page
    assert "选项B为空，但后面还有选项" in page
    assert "分值应大于0且不超过100" in page
    assert count_rows(Question) == 0


def test_create_judge_question_ignores_option_fields(as_admin):
    data = {**FORM, "type": "judge", "answer": "错"}
    as_admin.post(URL + "new", data=data)
    question = db.session.scalars(sa.select(Question)).one()
    assert (question.options, question.answer) == (["正确", "错误"], "B")


def test_edit_unused_question_in_place(as_admin, tree):
    question = add_question(tree["town"])
    page = text(as_admin.get(f"{URL}{question.id}"))
    assert "此题已被使用" not in page and "人民" in page
    response = as_admin.post(f"{URL}{question.id}", data={**FORM, "stem": "改过的题干"})
    assert response.headers["Location"].endswith(f"{URL}{question.id}")
    assert reload(question).stem == "改过的题干"
    assert count_rows(Question) == 1


def test_edit_used_question_warns_and_makes_a_new_version(as_admin, tree, learner):
    question = add_question(tree["town"])
    shown = use_in_attempt(question, learner)
    assert "此题已被使用，保存后将生成新版本" in text(as_admin.get(f"{URL}{question.id}"))
    response = as_admin.post(f"{URL}{question.id}", data={**FORM, "stem": "第二版题干"})
    newer = db.session.scalars(sa.select(Question).where(Question.root_id == question.id)).one()
    assert response.headers["Location"].endswith(f"{URL}{newer.id}")
    old = reload(question)
    assert old.status is QuestionStatus.SUPERSEDED and old.stem != "第二版题干"
    assert newer.stem == "第二版题干" and newer.version == 2
    assert shown.question_id == old.id
    old_page = text(as_admin.get(f"{URL}{old.id}"))
    assert "这是旧版本" in old_page and "第2版" in old_page
    assert as_admin.post(f"{URL}{old.id}", data=FORM).status_code == 200
    assert reload(old).stem == old.stem


# ---------------------------------------------------------------- retire, restore, delete


def test_retire_then_restore(as_admin, tree):
    question = add_question(tree["town"])
    as_admin.post(f"{URL}{question.id}/retire")
    assert reload(question).status is QuestionStatus.RETIRED
    assert "共 0 题" in text(as_admin.get(URL))
    assert "共 1 题" in text(as_admin.get(URL + "?status=retired"))
    as_admin.post(f"{URL}{question.id}/restore")
    assert reload(question).status is QuestionStatus.ACTIVE


def test_used_question_cannot_be_deleted(as_admin, tree, learner):
    question = add_question(tree["town"])
    use_in_attempt(question, learner)
    page = text(as_admin.post(f"{URL}{question.id}/delete", follow_redirects=True))
    assert "不能删除；可以停用" in page
    assert reload(question) is not None


def test_unused_question_can_be_deleted(as_admin, tree):
    question = add_question(tree["town"])
    as_admin.post(f"{URL}{question.id}/delete")
    assert count_rows(Question) == 0


# ---------------------------------------------------------------- categories


def test_create_and_rename_category(as_admin, tree):
    as_admin.post(URL + "categories", data={"name": "宪法"})
    category = db.session.scalars(sa.select(QuestionCategory)).one()
    assert category.owner_unit_id == tree["town"].id
    page = text(as_admin.post(URL + "categories", data={"name": "宪法"}))
    assert "已有名为“宪法”的分类" in page
    as_admin.post(f"{URL}categories/{category.id}/rename", data={"name": "宪法相关法"})
    db.session.expire_all()
    assert db.session.get(QuestionCategory, category.id).name == "宪法相关法"
    assert "宪法相关法" in text(as_admin.get(URL + "categories"))


def test_admin_of_one_bank_is_not_asked_which(as_admin, tree):
    assert "所属题库" not in text(as_admin.get(URL + "new"))


def test_admin_of_two_towns_picks_the_bank(client, login, make_user, tree):
    from yongxi_learn.org.models import Role

    both = [(Role.ADMIN, tree["town"]), (Role.ADMIN, tree["other_town"])]
    login(make_user("两镇管理员", tree["justice"], roles=both))
    assert "所属题库" in text(client.get(URL + "new"))
    client.post(URL + "new", data={**FORM, "owner_unit_id": tree["other_town"].id})
    assert db.session.scalars(sa.select(Question)).one().owner_unit_id == tree["other_town"].id
