"""seed_laws: the demo library is the shipped real texts, loaded through the importer
once, older versions first, so the demo shows amended laws and questions to review."""

import contextlib
import csv

import sqlalchemy as sa

from tests.conftest import count_rows
from tests.exams.bank_fixtures import add_question
from tests.study.test_law_cli import shared_laws, version_of
from yongxi_learn.exams.models import Question
from yongxi_learn.extensions import db
from yongxi_learn.study import laws
from yongxi_learn.study.demo_laws import LAW_FOLDER, TITLE_ONLY, seed_laws
from yongxi_learn.study.models import Law, LawArticle, LawStatus


def untracked(items, _label):
    return contextlib.nullcontext(items)


def shipped() -> list[dict]:
    with (LAW_FOLDER / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_shipped_texts_are_the_shared_ones():
    folder = shared_laws()
    names = sorted(p.name for p in folder.iterdir())
    assert sorted(p.name for p in LAW_FOLDER.iterdir()) == names
    for name in names:
        assert (LAW_FOLDER / name).read_bytes() == (folder / name).read_bytes(), name


def test_the_demo_library_is_loaded_once_for_the_district(tree):
    lines = seed_laws(tree["town"], track=untracked)
    db.session.commit()
    rows = shipped()
    total = sum(int(row["articles"]) for row in rows)
    assert lines[0] == (
        f"已载入法规库{len(rows)}个法规文本（共{total}条；其中4部为修订后的新版本，"
        "旧版本已标记为已修改）。"
    )
    assert count_rows(Law) == len(rows) + len(TITLE_ONLY)
    assert count_rows(LawArticle) == total
    owners = set(db.session.scalars(sa.select(Law.owner_unit_id)))
    assert owners == {tree["district"].id}
    for row in rows:
        law = version_of(row["title"], row["version_date"])
        assert law.status.label == row["status"] and not law.sample, row["file"]
    assert seed_laws(tree["town"], track=untracked) == []
    assert (count_rows(Law), count_rows(LawArticle)) == (len(rows) + len(TITLE_ONLY), total)


def test_questions_written_before_an_amendment_wait_for_review(tree):
    town = tree["town"]
    review = add_question(town, stem="复议（ ）。", law_ref="行政复议法", article_ref="第二条")
    kept = add_question(town, stem="宪法（ ）。", law_ref="宪法", article_ref="第二条")
    party = add_question(town, stem="党章（ ）。", law_ref="中国共产党章程")
    lines = seed_laws(town, track=untracked)
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


def test_the_amended_law_reads_whole_and_is_found(tree, client, login, learner):
    seed_laws(tree["town"], track=untracked)
    db.session.commit()
    current = laws.find_current("行政复议法")
    login(learner)
    html = client.get(f"/laws/{current.id}").get_data(as_text=True)
    assert "本法规尚未录入条文" not in html
    assert "行政复议工作坚持中国共产党的领导。" in html  # 第三条 of the 2023 text
    found = client.get("/laws/?q=行政复议").get_data(as_text=True)
    assert f'href="/laws/{current.id}"' in found
