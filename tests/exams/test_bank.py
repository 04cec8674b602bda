"""Question bank services: validation, categories, versions, retiring, scope."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.exams.bank_fixtures import actor_of, add_question, content, town_admin, use_in_attempt
from yongxi_learn.core.exceptions import NotFound
from yongxi_learn.exams.bank import rules as bank_rules
from yongxi_learn.exams.bank import services as bank
from yongxi_learn.exams.bank.rules import Invalid, parse_answer
from yongxi_learn.exams.models import (
    JUDGE_OPTIONS,
    AttemptQuestion,
    Exam,
    ExamQuestion,
    ExamStatus,
    Question,
    QuestionStatus,
    QuestionType,
)
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.permissions import PermissionDenied

S, M, J = QuestionType.SINGLE, QuestionType.MULTI, QuestionType.JUDGE


# ---------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("text", "qtype", "expected"),
    [
        ("B", S, "B"),
        ("b", S, "B"),
        (" Ｂ ", S, "B"),
        ("A,C", M, "AC"),
        ("A，C", M, "AC"),
        ("A、C", M, "AC"),
        ("AC", M, "AC"),
        ("A C", M, "AC"),
        ("ca", M, "AC"),
        ("a;c;d", M, "ACD"),
        ("对", J, "A"),
        ("错", J, "B"),
        ("正确", J, "A"),
        ("错误", J, "B"),
        ("√", J, "A"),
        ("×", J, "B"),
        ("✓", J, "A"),
        ("✗", J, "B"),
        ("A", J, "A"),
        ("b", J, "B"),
        ("T", J, "A"),
        ("f", J, "B"),
    ],
)
def test_every_answer_notation_is_understood(text, qtype, expected):
    assert parse_answer(text, qtype, 4 if qtype is not J else 2) == expected


@pytest.mark.parametrize(
    ("text", "qtype", "options", "message"),
    [
        ("AB", S, 4, "单选题的答案只能是一个选项"),
        ("A", M, 4, "多选题的答案至少应有两个选项"),
        ("E", S, 4, "答案中的选项E不存在（本题只有4个选项）"),
        ("AG", M, 4, "答案应填写选项字母"),
        ("", S, 4, "请填写答案"),
        ("也许", J, 2, "判断题的答案应为“对”或“错”"),
    ],
)
def test_bad_answer_says_why(text, qtype, options, message):
    with pytest.raises(Invalid, match=message):
        parse_answer(text, qtype, options)


def test_judge_question_always_gets_the_fixed_options():
    data = bank_rules.build(qtype=J, stem="宪法是根本法。", options=[], answer="对")
    assert (data.options, data.answer, data.errors) == (JUDGE_OPTIONS, "A", [])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"stem": "  "}, "stem", "请填写题干"),
        ({"stem": "题" * 2001}, "stem", "题干不能超过2000个字"),
        ({"stem": "题干\u202e"}, "stem", "控制字符"),
        ({"stem": "题\x07干"}, "stem", "控制字符"),
        ({"stem": "=1+1"}, "stem", "题干不能以“=”开头"),
        ({"options": ["甲"]}, "options", "至少需要2个选项"),
        ({"options": ["甲", "", "丙"]}, "option_b", "选项B为空，但后面还有选项"),
        ({"options": ["甲"] * 2}, "option_b", "选项B与选项A相同"),
        ({"options": ["甲", "乙", "丙", "丁", "戊", "己", "庚"]}, None, None),
        ({"options": ["甲", "乙" * 501]}, "option_b", "选项B不能超过500个字"),
        ({"difficulty": 4}, "difficulty", "难度应为易、中、难之一"),
        ({"score": Decimal(0)}, "score", "分值应大于0"),
        ({"score": Decimal(101)}, "score", "不超过100"),
    ],
)
def test_invalid_content_is_reported_per_field(changes, field, message):
    fields = {"qtype": S, "stem": "题干", "options": ["甲", "乙"], "answer": "A", **changes}
    data = bank_rules.build(**fields)
    if field is None:  # a seventh option is never read: six at most
        assert data.options == ["甲", "乙", "丙", "丁", "戊", "己"]
        return
    assert any(f == field and message in m for f, m in data.errors), data.errors


@pytest.mark.parametrize(
    ("text", "expected"), [("", Decimal(2)), ("1.5", Decimal("1.5")), ("100", Decimal(100))]
)
def test_score_parsing(text, expected):
    assert bank_rules.parse_score(text) == expected


@pytest.mark.parametrize("text", ["0", "-1", "abc", "1.234", "101", "NaN"])
def test_bad_score_is_refused(text):
    with pytest.raises(Invalid):
        bank_rules.parse_score(text)


# ---------------------------------------------------------------- categories


def test_category_names_are_unique_per_bank(admin, tree):
    actor = actor_of(admin)
    bank.create_category("宪法", tree["town"], actor=actor)
    with pytest.raises(bank.BankError, match="已有名为“宪法”的分类"):
        bank.create_category(" 宪法 ", tree["town"], actor=actor)
    bank.create_category("宪法", tree["other_town"], actor=bank.Actor(user=None))
    db.session.commit()
    assert count_rows(bank.QuestionCategory) == 2


def test_rename_category_checks_the_new_name(admin, tree):
    actor = actor_of(admin)
    first = bank.create_category("宪法", tree["town"], actor=actor)
    bank.create_category("民法典", tree["town"], actor=actor)
    with pytest.raises(bank.BankError):
        bank.rename_category(first, "民法典", actor=actor)
    bank.rename_category(first, "宪法相关法", actor=actor)
    assert first.name == "宪法相关法"


def test_town_admin_cannot_make_categories_in_another_town(admin, tree):
    with pytest.raises(PermissionDenied):
        bank.create_category("宪法", tree["other_town"], actor=actor_of(admin))


# ---------------------------------------------------------------- questions


def test_create_question_stores_canonical_content_and_audits(admin, tree):
    question = add_question(tree["town"], actor=actor_of(admin), qtype=M, answer="c、a")
    assert (question.answer, question.options[0], question.version) == ("AC", "人民", 1)
    assert question.status is QuestionStatus.ACTIVE
    assert question.created_by_id == admin.id
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.object_id == question.id))


def test_invalid_question_is_not_saved(admin, tree):
    data = bank_rules.build(qtype=S, stem="", options=["甲", "乙"], answer="A")
    with pytest.raises(bank.InvalidQuestion) as info:
        bank.create_question(data, owner_unit=tree["town"], category=None, actor=actor_of(admin))
    assert info.value.errors == [("stem", "请填写题干")]
    assert count_rows(Question) == 0


def test_duplicate_stem_in_the_bank_is_refused(admin, tree):
    add_question(tree["town"])
    twin = content(stem="宪法规定， 中华人民共和国的一切权力属于（　）。")
    with pytest.raises(bank.InvalidQuestion, match="题库中已有相同题干的题目"):
        bank.create_question(twin, owner_unit=tree["town"], category=None, actor=actor_of(admin))
    # Another town's bank is another bank.
    bank.create_question(twin, owner_unit=tree["other_town"], category=None, actor=bank.Actor(None))


def test_find_duplicate_stems_folds_width_and_spaces(app, tree):
    question = add_question(tree["town"], stem="ABC 题干（一）")
    found = bank.find_duplicate_stems(["ＡＢＣ题干(一)", "别的"], tree["town"])
    assert found == {bank_rules.fold("ABC题干(一)"): question}
    assert bank.find_duplicate_stems(["ABC 题干（一）"], tree["other_town"]) == {}


def test_category_must_belong_to_the_same_bank(app, tree):
    other = bank.create_category("宪法", tree["other_town"], actor=bank.Actor(None))
    with pytest.raises(bank.InvalidQuestion, match="分类不属于该题库"):
        bank.create_question(
            content(), owner_unit=tree["town"], category=other, actor=bank.Actor(None)
        )


# ---------------------------------------------------------------- versions


def test_editing_an_unused_question_edits_in_place(admin, tree):
    question = add_question(tree["town"])
    saved = bank.update_question(
        question, content(stem="新题干"), category=None, actor=actor_of(admin)
    )
    db.session.commit()
    assert saved.id == question.id and saved.stem == "新题干" and saved.version == 1
    assert count_rows(Question) == 1


def test_editing_keeps_its_own_stem_without_calling_it_a_duplicate(admin, tree):
    question = add_question(tree["town"], answer="A")
    bank.update_question(question, content(answer="B"), category=None, actor=actor_of(admin))
    assert question.answer == "B"


def test_editing_a_used_question_makes_a_new_version(admin, tree, learner):
    question = add_question(tree["town"], answer="A")
    shown = use_in_attempt(question, learner)
    newer = bank.update_question(
        question, content(stem="改过的题干", answer="B"), category=None, actor=actor_of(admin)
    )
    db.session.commit()
    db.session.expire_all()
    old = db.session.get(Question, question.id)
    assert newer.id != old.id
    assert (newer.root_id, newer.version, newer.status) == (old.id, 2, QuestionStatus.ACTIVE)
    assert (newer.stem, newer.answer) == ("改过的题干", "B")
    assert old.status is QuestionStatus.SUPERSEDED
    assert (old.stem, old.answer) == ("宪法规定，中华人民共和国的一切权力属于（ ）。", "A")
    attempt_row = db.session.get(AttemptQuestion, shown.id)
    assert attempt_row.question_id == old.id
    assert attempt_row.question.stem == old.stem


def test_new_version_replaces_the_question_on_draft_papers_only(admin, tree, learner):
    question = add_question(tree["town"], answer="A")
    use_in_attempt(question, learner)
    papers = {}
    for status in (ExamStatus.DRAFT, ExamStatus.PUBLISHED):
        exam = Exam(owner_unit_id=tree["town"].id, title=f"试卷{status}", year=2026, status=status)
        exam.fixed_questions.append(ExamQuestion(question_id=question.id, score=Decimal(2)))
        db.session.add(exam)
        papers[status] = exam
    db.session.commit()
    newer = bank.update_question(
        question, content(stem="改过的题干", answer="B"), category=None, actor=actor_of(admin)
    )
    db.session.commit()
    db.session.expire_all()
    on_paper = {
        status: db.session.scalar(
            sa.select(ExamQuestion.question_id).where(ExamQuestion.exam_id == exam.id)
        )
        for status, exam in papers.items()
    }
    assert on_paper == {ExamStatus.DRAFT: newer.id, ExamStatus.PUBLISHED: question.id}


def test_third_version_keeps_the_original_root(admin, tree, learner):
    first = add_question(tree["town"])
    use_in_attempt(first, learner)
    second = bank.update_question(first, content(stem="二"), category=None, actor=actor_of(admin))
    use_in_attempt(second, learner)
    third = bank.update_question(second, content(stem="三"), category=None, actor=actor_of(admin))
    assert (third.root_id, third.version) == (first.id, 3)
    assert [q.version for q in bank.versions(first)] == [1, 2, 3]


def test_superseded_version_cannot_be_edited(admin, tree, learner):
    question = add_question(tree["town"])
    use_in_attempt(question, learner)
    bank.update_question(question, content(stem="新"), category=None, actor=actor_of(admin))
    with pytest.raises(bank.BankError, match="已有新版本"):
        bank.update_question(question, content(stem="再改"), category=None, actor=actor_of(admin))


def test_new_version_may_keep_its_own_stem(admin, tree, learner):
    question = add_question(tree["town"], answer="A")
    use_in_attempt(question, learner)
    newer = bank.update_question(
        question, content(answer="B"), category=None, actor=actor_of(admin)
    )
    assert newer.stem == question.stem


# ---------------------------------------------------------------- retire, restore, delete


def test_retire_and_restore(admin, tree):
    question = add_question(tree["town"])
    bank.retire_question(question, actor=actor_of(admin))
    assert question.status is QuestionStatus.RETIRED
    with pytest.raises(bank.BankError):
        bank.retire_question(question, actor=actor_of(admin))
    bank.restore_question(question, actor=actor_of(admin))
    assert question.status is QuestionStatus.ACTIVE


def test_used_question_is_never_deleted(admin, tree, learner):
    question = add_question(tree["town"])
    use_in_attempt(question, learner)
    with pytest.raises(bank.BankError, match="不能删除；可以停用"):
        bank.delete_question(question, actor=actor_of(admin))
    db.session.rollback()
    assert count_rows(Question) == 1


def test_unused_question_may_be_deleted(admin, tree):
    question = add_question(tree["town"])
    bank.delete_question(question, actor=actor_of(admin))
    db.session.commit()
    assert count_rows(Question) == 0


# ---------------------------------------------------------------- scope


def test_town_admin_cannot_edit_another_towns_question(admin, tree):
    question = add_question(tree["other_town"])
    with pytest.raises(PermissionDenied):
        bank.update_question(question, content(stem="x"), category=None, actor=actor_of(admin))
    with pytest.raises(NotFound):
        bank.get_question(question.id, user=admin)


def test_list_shows_only_questions_in_scope(admin, make_user, tree):
    mine = add_question(tree["town"], stem="本镇题")
    add_question(tree["other_town"], stem="外镇题")
    assert db.session.scalars(bank.questions_select(admin, bank.BankFilter())).all() == [mine]
    district = town_admin(make_user, tree["district"], "区管理员")
    assert len(db.session.scalars(bank.questions_select(district, bank.BankFilter())).all()) == 2


def test_list_filters(admin, tree):
    category = bank.create_category("民法典", tree["town"], actor=actor_of(admin))
    a = add_question(tree["town"], stem="关于合同", law_ref="民法典", category=category)
    b = add_question(tree["town"], stem="关于宪法", qtype=J, options=(), answer="对")
    bank.retire_question(b, actor=actor_of(admin))

    def ids(**criteria):
        query = bank.questions_select(admin, bank.BankFilter(**criteria))
        return [q.id for q in db.session.scalars(query)]

    assert ids() == [a.id]
    assert ids(status=None) == [b.id, a.id]
    assert ids(status=QuestionStatus.RETIRED) == [b.id]
    assert ids(category_id=category.id) == [a.id]
    assert ids(law="民法", status=None) == [a.id]
    assert ids(text="宪法", status=None) == [b.id]
    assert ids(type=J, status=None) == [b.id]
    assert ids(text="%", status=None) == []
