"""seed_laws: the demo library, idempotent, linked to the demo question bank."""

import contextlib

import sqlalchemy as sa

from tests.conftest import count_rows
from yongxi_learn.exams.demo import load_bank
from yongxi_learn.exams.models import Question
from yongxi_learn.extensions import db
from yongxi_learn.study import laws
from yongxi_learn.study.demo_laws import LAWS, seed_laws
from yongxi_learn.study.models import Law, LawArticle


def untracked(items, _label):
    return contextlib.nullcontext(items)


def test_the_demo_library_is_loaded_once_for_the_district(tree):
    lines = seed_laws(tree["town"], track=untracked)
    db.session.commit()
    assert lines[0] == f"已载入法规库示例{len(LAWS)}部（少量条文为示例，以官方文本为准）。"
    assert count_rows(Law) == len(LAWS)
    owners = set(db.session.scalars(sa.select(Law.owner_unit_id)))
    assert owners == {tree["district"].id}
    articles = count_rows(LawArticle)
    assert seed_laws(tree["town"], track=untracked) == []
    assert (count_rows(Law), count_rows(LawArticle)) == (len(LAWS), articles)


def test_only_laws_with_sample_text_are_marked_sample(tree):
    seed_laws(tree["town"], track=untracked)
    for law in db.session.scalars(sa.select(Law)):
        assert law.sample == bool(law.articles), law.title
    constitution = laws.find_current("宪法")
    assert laws.find_article(constitution, "第二条").text.startswith(
        "中华人民共和国的一切权力属于人民。"
    )


def test_the_demo_questions_are_linked_to_the_demo_laws(tree):
    from datetime import datetime

    load_bank(tree["town"], datetime(2024, 11, 1))
    lines = seed_laws(tree["town"], track=untracked)
    db.session.commit()
    linked = db.session.scalars(sa.select(Question).where(Question.law_id.is_not(None))).all()
    assert f"示例题库中{len(linked)}题已关联到法规库。" in lines
    assert {q.law_ref for q in linked} >= {"宪法", "民法典", "行政处罚法", "村民委员会组织法"}
    unlinked = {
        q.law_ref for q in db.session.scalars(sa.select(Question).where(Question.law_id.is_(None)))
    }
    # Every demo question cites a law of the shipped texts: one the library holds links.
    held = set(db.session.scalars(sa.select(Law.short_name)))
    assert unlinked.isdisjoint(held)
    nine = next(q for q in linked if q.law_ref == "行政处罚法" and q.article_ref == "第九条")
    assert nine.article.label == "第九条" and nine.article.law.short_name == "行政处罚法"
