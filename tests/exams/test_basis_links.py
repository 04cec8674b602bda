"""The 依据 under a reviewed question (the result page, practice, 错题本) links to the
article in the law library when the question is linked to one."""

import sqlalchemy as sa

from tests.exams.taking import begin, close
from tests.laws.law_fixtures import make_law
from yongxi_learn.exams.models import Question
from yongxi_learn.extensions import db
from yongxi_learn.laws import services as laws


def link_bank(law, label="第一条"):
    """Every question of the bank cites ``law``'s article ``label``, as the bank form saves it."""
    article = laws.find_article(law, label)
    for question in db.session.scalars(sa.select(Question)):
        question.law_id, question.article_id = law.id, article.id
        question.law_ref, question.article_ref = law.title, article.label
    db.session.commit()
    return article


def test_the_basis_links_to_the_article_after_review_and_in_the_wrong_book(
    client, login, cadre, exam, tree
):
    law = make_law(tree["district"])
    article = link_bank(law)
    link = (
        f'依据：<a href="/laws/{law.id}?article={article.id}#a{article.id}">'
        "中华人民共和国示例管理法 第一条</a>"
    )
    login(cadre)
    attempt = begin(client, exam)
    client.post(f"/exams/attempts/{attempt.id}/submit")  # all unanswered: all wrong
    assert link in client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    close(exam)  # the 错题本 shows an exam's questions once it closed
    assert link in client.get("/exams/wrong").get_data(as_text=True)
    page = client.get(f"/laws/{law.id}?article={article.id}").get_data(as_text=True)
    assert f'id="a{article.id}"' in page and "为了规范示例管理，制定本法。" in page


def test_a_basis_linked_to_the_law_only_links_to_the_law(client, login, cadre, exam, tree):
    law = make_law(tree["district"])
    for question in db.session.scalars(sa.select(Question)):
        question.law_id, question.law_ref, question.article_ref = law.id, law.title, "第九十条"
    db.session.commit()
    login(cadre)
    attempt = begin(client, exam)
    client.post(f"/exams/attempts/{attempt.id}/submit")
    html = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert f'依据：<a href="/laws/{law.id}">中华人民共和国示例管理法 第九十条</a>' in html
