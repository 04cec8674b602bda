"""seed_library: the demo bank's questions meet the demo law library's versions in force
before the amendments, so the questions citing an amended law wait for review."""

import contextlib

from tests.exams.bank_fixtures import add_question
from yongxi_learn.exams.bank.demo_laws import seed_library
from yongxi_learn.exams.models import Question
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import LawStatus


def untracked(items, _label):
    return contextlib.nullcontext(items)


def test_questions_written_before_an_amendment_wait_for_review(app, tree):
    town = tree["town"]
    review = add_question(town, stem="复议（ ）。", law_ref="行政复议法", article_ref="第二条")
    kept = add_question(town, stem="宪法（ ）。", law_ref="宪法", article_ref="第二条")
    party = add_question(town, stem="党章（ ）。", law_ref="中国共产党章程")
    lines = seed_library(town, track=untracked)
    db.session.commit()
    assert "示例题库中3题已关联到法规库。" in lines
    assert "示例题库中1题引用的法规已修订，待复核。" in lines
    review, kept, party = (db.session.get(Question, q.id) for q in (review, kept, party))
    # Linked to the 2017 text in force when it was written, now 已修改.
    assert review.needs_review and review.law.status is LawStatus.AMENDED
    assert review.article.text.startswith("公民、法人或者其他组织认为具体行政行为侵犯其合法权益")
    assert not kept.needs_review and kept.article.text.startswith(
        "中华人民共和国的一切权力属于人民"
    )
    assert party.law.short_name == "党章" and party.article is None


def test_loading_again_links_and_flags_nothing_more(app, tree):
    town = tree["town"]
    add_question(town, stem="复议（ ）。", law_ref="行政复议法", article_ref="第二条")
    seed_library(town, track=untracked)
    db.session.commit()
    assert seed_library(town, track=untracked) == []
