"""Law library services: create, edit, new versions flag references 待复核, repeal,
re-pointing clears the flag, permissions over the owner unit."""

import pytest
import sqlalchemy as sa

from tests.exams.bank_fixtures import add_question
from tests.laws.law_fixtures import AMENDED_TEXT, actor_of, make_law
from yongxi_learn.exams.bank import services as bank
from yongxi_learn.exams.models import Question
from yongxi_learn.extensions import db
from yongxi_learn.laws import references
from yongxi_learn.laws import services as laws
from yongxi_learn.laws.models import Law, LawKind, LawStatus
from yongxi_learn.laws.parser import parse_text
from yongxi_learn.laws.services import LawError, LawMeta
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Role
from yongxi_learn.org.permissions import PermissionDenied
from yongxi_learn.org.services import SYSTEM


def reload(model, row):
    db.session.expire_all()
    return db.session.get(model, row.id)


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


def pointing_at(law, owner, label="第十条之一", **kwargs) -> Question:
    question = add_question(owner, law_ref=law.title, article_ref=label, **kwargs)
    article = laws.find_article(law, label)
    question.law_id, question.article_id = law.id, article.id if article else None
    db.session.commit()
    return question


def new_version(law, text=AMENDED_TEXT, actor=SYSTEM) -> Law:
    newer = laws.import_version(law, LawMeta.of(law), parse_text(text), actor=actor)
    db.session.commit()
    return newer


def test_a_law_is_saved_with_its_articles_in_order(tree):
    law = make_law(tree["district"])
    assert [a.label for a in law.articles][:4] == ["第一条", "第二条", "第十条", "第十条之一"]
    assert law.preamble.startswith("中华人民共和国示例管理法")
    assert law.status is LawStatus.CURRENT and law.version == 1
    assert actions()[-1] == "law.create"


def test_an_article_is_found_by_any_spelling_of_its_label(tree):
    law = make_law(tree["district"])
    for label in ("第十条之一", "10条之1", "十条之一"):
        assert laws.find_article(law, label).text == "示例管理应当公开。"
    assert laws.find_article(law, "第九条") is None


def test_a_second_current_law_with_the_same_title_is_refused(tree):
    make_law(tree["district"])
    with pytest.raises(LawError, match="导入新版本"):
        make_law(tree["district"])


def test_metadata_is_checked_and_cleaned(tree):
    law = make_law(tree["district"])
    meta = LawMeta.of(law)
    meta.title = "《中华人民共和国示例管理法（修订）》"
    laws.update_law(law, meta, actor=SYSTEM)
    assert law.title == "中华人民共和国示例管理法（修订）"
    meta.title = "  "
    with pytest.raises(LawError, match="请填写法规名称"):
        laws.update_law(law, meta, actor=SYSTEM)
    meta.title, meta.kind = "甲法", "not-a-kind"
    with pytest.raises(LawError):
        laws.update_law(law, meta, actor=SYSTEM)


def test_a_new_version_keeps_the_old_one_as_amended(tree):
    law = make_law(tree["district"])
    newer = new_version(law)
    assert reload(Law, law).status is LawStatus.AMENDED
    assert newer.root_id == law.id and newer.version == 2 and newer.is_current
    assert laws.find_article(newer, "第十条").text == "示例管理实行统一领导、分级负责。"
    assert laws.find_article(reload(Law, law), "第十条").text == "示例管理实行统一领导。"
    assert [v.id for v in laws.versions(law)] == [law.id, newer.id]
    assert actions()[-1] == "law.version"


def test_an_amendment_flags_questions_on_the_old_version_only(tree):
    law = make_law(tree["district"])
    other = make_law(tree["district"], title="中华人民共和国另一法", short_name="另一法")
    on_old = pointing_at(law, tree["town"])
    elsewhere = pointing_at(other, tree["town"], stem="另一法的题目（ ）。")
    new_version(law)
    assert reload(Question, on_old).needs_review is True
    assert reload(Question, elsewhere).needs_review is False


def test_a_third_version_flags_what_still_points_at_the_first(tree):
    law = make_law(tree["district"])
    on_first = pointing_at(law, tree["town"])
    second = new_version(law)
    on_first.needs_review = False  # as if cleared without re-pointing
    db.session.commit()
    new_version(second, text=AMENDED_TEXT.replace("应当公开", "应当依法公开"))
    assert reload(Question, on_first).needs_review is True


def test_repointing_a_flagged_question_at_the_current_version_clears_it(tree, admin):
    law = make_law(tree["district"])
    question = pointing_at(law, tree["town"])
    newer = new_version(law)
    question = reload(Question, question)
    data = bank._data_of(question)
    data.law_id = newer.id
    data.article_id = laws.find_article(newer, "第十条之一").id
    bank.update_question(question, data, category=None, actor=actor_of(admin))
    db.session.commit()
    assert reload(Question, question).needs_review is False
    assert references.flagged(admin) == []


def test_review_cannot_be_marked_while_the_question_points_at_the_old_version(tree, admin):
    law = make_law(tree["district"])
    question = pointing_at(law, tree["town"])
    new_version(law)
    question = reload(Question, question)
    with pytest.raises(bank.BankError, match="现行有效的版本"):
        bank.mark_reviewed(question, actor=actor_of(admin))


def test_the_review_list_shows_flagged_questions_of_the_admins_units(tree, admin, make_user):
    law = make_law(tree["district"])
    mine = pointing_at(law, tree["town"])
    theirs = pointing_at(law, tree["other_town"])
    new_version(law)
    rows = references.flagged(admin)
    assert [(r.label, r.endpoint, r.args) for r in rows] == [
        ("试题", "bank.edit", {"question_id": mine.id})
    ]
    other_admin = make_user(
        "宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])]
    )
    assert [r.args for r in references.flagged(other_admin)] == [{"question_id": theirs.id}]
    assert references.count_flagged(admin) == 1


def test_repealing_flags_references_and_refuses_twice(tree):
    law = make_law(tree["district"])
    question = pointing_at(law, tree["town"])
    assert laws.repeal_law(law, actor=SYSTEM) == 1
    db.session.commit()
    assert reload(Law, law).status is LawStatus.REPEALED
    assert reload(Question, question).needs_review is True
    with pytest.raises(LawError):
        laws.repeal_law(law, actor=SYSTEM)
    with pytest.raises(LawError):
        laws.import_version(law, LawMeta.of(law), parse_text(AMENDED_TEXT), actor=SYSTEM)


def test_an_admin_of_another_town_cannot_change_the_towns_law(tree, make_user):
    law = make_law(tree["town"])
    other = make_user("宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    with pytest.raises(PermissionDenied):
        laws.update_law(law, LawMeta.of(law), actor=actor_of(other))
    with pytest.raises(PermissionDenied):
        laws.import_version(law, LawMeta.of(law), parse_text(AMENDED_TEXT), actor=actor_of(other))
    with pytest.raises(PermissionDenied):
        laws.repeal_law(law, actor=actor_of(other))


def test_a_learner_or_unit_admin_cannot_create_laws(tree, learner, unit_admin):
    meta = LawMeta(title="甲法", kind=LawKind.LAW)
    for user in (learner, unit_admin):
        with pytest.raises(PermissionDenied):
            laws.create_law(meta, None, owner_unit=tree["village"], actor=actor_of(user))


def test_a_district_law_is_kept_by_the_district_not_the_town_admin(tree, admin):
    law = make_law(tree["district"])
    assert not laws.can_manage(admin, law)
    assert laws.can_manage(admin, make_law(tree["town"], title="雍溪镇示例办法", short_name=""))


def test_article_hits_are_paged_and_counted_up_to_the_cap(tree, monkeypatch):
    from yongxi_learn.laws import search

    make_law(tree["district"])
    monkeypatch.setattr(search, "COUNT_CAP", 4)
    criteria = search.LawFilter(text="。")  # in each of the 7 articles
    first = search.article_hits(criteria, 1, 3)
    assert [a.label for a in first.items] == ["第一条", "第二条", "第十条"]
    assert (first.total, first.capped, first.shown_total, first.has_next) == (5, True, "4余", True)
    second = search.article_hits(criteria, 2, 3)
    assert [a.label for a in second.items] == ["第十条之一", "第一百零二条"]
    assert second.items[0].law.title == "中华人民共和国示例管理法"
    assert not search.article_hits(search.LawFilter(text="无此文字"), 1, 3).items


def test_the_library_lists_laws_by_kind_in_the_usual_order(tree):
    from yongxi_learn.laws import search

    for title, kind in (
        ("安全示例法", LawKind.LAW),
        ("组织示例法", LawKind.CONSTITUTIONAL),
        ("某党内法规", LawKind.PARTY_REGULATION),
    ):
        make_law(tree["district"], title=title, short_name="", text="", kind=kind)
    listed = db.session.scalars(search.laws_select(search.LawFilter())).all()
    assert [law.title for law in listed] == ["组织示例法", "安全示例法", "某党内法规"]
