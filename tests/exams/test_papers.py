"""Paper services: content validation, publishing and the frozen enrolment,
changes after publishing, make-up, cancel, monitor, item analysis, regrading."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from yongxi_learn.exams import attempts
from yongxi_learn.exams.models import (
    Attempt,
    AttemptStatus,
    Enrolment,
    Exam,
    ExamKind,
    ExamStatus,
    QuestionStatus,
    QuestionType,
)
from yongxi_learn.exams.papers import enrolment, monitor, regrade
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.exams.papers.makeup import create_makeup
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category, Role
from yongxi_learn.org.permissions import PermissionDenied
from yongxi_learn.org.services import Actor

from .paper_fixtures import NOW, add_attempt, make_exam, make_questions

SINGLE = QuestionType.SINGLE


@pytest.fixture
def people(make_user, tree):
    return {
        "cadre1": make_user("村干部一", tree["village"], category=Category.VILLAGE_CADRE),
        "cadre2": make_user("村干部二", tree["village"], category=Category.VILLAGE_CADRE),
        "liaison": make_user("明白人", tree["village"], category=Category.LEGAL_LIAISON),
        "gone": make_user("已停用", tree["village"], category=Category.VILLAGE_CADRE, active=False),
        "cadre3": make_user("红岩干部", tree["village2"], category=Category.VILLAGE_CADRE),
        "official": make_user("机关干部", tree["office"], category=Category.OFFICIAL),
        "outsider": make_user("外镇干部", tree["other_village"], category=Category.VILLAGE_CADRE),
    }


@pytest.fixture
def bank(tree):
    return make_questions(tree["town"], SINGLE, 4)


def _audience(tree, people):
    return {
        "units": [tree["village"].id],
        "categories": [Category.VILLAGE_CADRE.value],
        "people": [people["cadre3"].id, people["official"].id],
    }


def _published(tree, admin, people, bank, **overrides):
    exam = make_exam(
        tree["town"], admin, audience=_audience(tree, people), questions=bank, **overrides
    )
    papers.publish(exam, actor=Actor(user=admin), now=NOW)
    db.session.commit()
    return exam


def _enrolled(exam):
    return set(db.session.scalars(sa.select(Enrolment.user_id).where(Enrolment.exam_id == exam.id)))


def _actions(action):
    db.session.commit()  # audit rows are written when the transaction commits
    return db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)).all()


# ---------------------------------------------------------------- paper content


def test_rule_with_too_small_a_pool_is_refused_with_both_counts(tree, admin, people):
    make_questions(tree["town"], SINGLE, 10)
    make_questions(tree["district"], SINGLE, 2)  # an ancestor's bank counts
    make_questions(tree["other_town"], SINGLE, 30)  # another town's does not
    retired = make_questions(tree["town"], SINGLE, 5)
    for q in retired:
        q.status = QuestionStatus.RETIRED
    rule = papers.RuleSpec(type=SINGLE, count=25, score=Decimal(2))
    exam = make_exam(tree["town"], admin, audience=_audience(tree, people), rules=[rule])

    with pytest.raises(papers.ExamError) as err:
        papers.publish(exam, actor=Actor(user=admin), now=NOW)

    assert "单选题库中符合条件的题目只有12道，少于抽题数量25道" in str(err.value)
    assert exam.status is ExamStatus.DRAFT


def test_rule_filters_by_category_law_and_difficulty(tree, admin, people):
    make_questions(tree["town"], SINGLE, 3, law_ref="中华人民共和国民法典", difficulty=3)
    make_questions(tree["town"], SINGLE, 5, law_ref="行政处罚法", difficulty=3)
    rule = papers.RuleSpec(
        type=SINGLE, count=3, score=Decimal(2), law_ref="中华人民共和国民法典", difficulty=3
    )
    exam = make_exam(tree["town"], admin, audience=_audience(tree, people), rules=[rule])

    assert papers.paper_problems(exam) == []
    assert papers.paper_total(exam) == Decimal(6)


def test_pass_score_above_total_is_refused(tree, admin, people, bank):
    exam = make_exam(
        tree["town"], admin, audience=_audience(tree, people), questions=bank, pass_score=9
    )
    assert papers.paper_total(exam) == Decimal(8)
    with pytest.raises(papers.ExamError, match="及格分9高于试卷总分8"):
        papers.publish(exam, actor=Actor(user=admin), now=NOW)


def test_fixed_questions_replace_rules_and_must_come_from_the_bank(tree, admin, people, bank):
    rule = papers.RuleSpec(type=SINGLE, count=2, score=Decimal(5))
    exam = make_exam(tree["town"], admin, audience=_audience(tree, people), rules=[rule])
    foreign = make_questions(tree["other_town"], SINGLE, 1)[0]

    with pytest.raises(papers.ExamError, match="不在本单位题库范围内"):
        papers.set_fixed_questions(exam, [(foreign.id, None)], actor=Actor(user=admin))
    papers.set_fixed_questions(exam, [(bank[0].id, None)], actor=Actor(user=admin))

    assert exam.rules == [] and len(exam.fixed_questions) == 1
    assert papers.paper_total(exam) == Decimal(2)


# ---------------------------------------------------------------- publishing


def test_publish_freezes_units_and_named_people_in_the_categories(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)

    # Village cadres of 石佛村 (active), the named 红岩村 cadre; not the 法律明白人, not
    # the deactivated person, not the named official (not a village cadre).
    assert _enrolled(exam) == {people["cadre1"].id, people["cadre2"].id, people["cadre3"].id}
    assert exam.status is ExamStatus.PUBLISHED and exam.published_at == NOW
    assert len(_actions("exam.publish")) == 1


def test_enrolment_stays_frozen_when_people_join_or_move(tree, admin, people, bank, make_user):
    exam = _published(tree, admin, people, bank)
    make_user("新来的", tree["village"], category=Category.VILLAGE_CADRE)
    people["cadre1"].unit = tree["office"]
    db.session.commit()

    assert len(_enrolled(exam)) == 3
    entry = db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == people["cadre1"].id))
    assert entry.unit_id == tree["village"].id


def _planned_rows(exam) -> int:
    """PostgreSQL's estimate of the exam's enrolment rows: what its plans go by."""
    plan = db.session.execute(
        sa.text("EXPLAIN (FORMAT JSON) SELECT * FROM enrolment WHERE exam_id = :exam"),
        {"exam": exam.id},
    ).scalar_one()
    return plan[0]["Plan"]["Plan Rows"]


def test_publishing_to_many_tells_the_planner_how_many(tree, admin, people, bank, monkeypatch):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    monkeypatch.setattr(enrolment, "ANALYZE_AFTER", 3)
    # Before: never analyzed, PostgreSQL guesses from the table's size (1,000 rows on
    # a fresh database); analyzed before this exam existed, it expects 1 row.
    exam = _published(tree, admin, people, bank)

    assert len(_enrolled(exam)) == 3
    assert _planned_rows(exam) == 3


def _rows_read(plan: dict) -> int:
    """Rows every node of an EXPLAIN ANALYZE plan produced or read and dropped."""
    own = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
    return own + sum(_rows_read(child) for child in plan.get("Plans", []))


def test_closing_one_attempt_reads_only_it_whatever_the_statistics_say(tree, admin, people, bank):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    exam = _published(tree, admin, people, bank)
    # Statistics taken before the evening, over enough finished attempts that reading
    # them all costs more than an index: none is in progress.
    finished = {"exam_id": exam.id, "user_id": people["cadre2"].id, "started_at": NOW}
    db.session.execute(
        sa.insert(Attempt),
        [{**finished, "number": n, "status": AttemptStatus.SUBMITTED} for n in range(1, 3001)],
    )
    db.session.commit()
    db.session.execute(sa.text("ANALYZE attempt"))
    db.session.commit()
    for number in range(1, 41):
        add_attempt(exam, people["cadre1"], [], status=AttemptStatus.IN_PROGRESS, number=number)
    db.session.commit()
    last = db.session.scalar(sa.select(sa.func.max(Attempt.id)))

    plan = db.session.execute(
        sa.text(
            "EXPLAIN (ANALYZE, FORMAT JSON) UPDATE attempt SET status = 'submitted'"
            " WHERE id = :id AND status = 'in_progress'"
        ),
        {"id": last},
    ).scalar_one()[0]["Plan"]
    db.session.rollback()

    assert _rows_read(plan) == 1, plan


def test_second_publish_is_refused_and_changes_nothing(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    with pytest.raises(papers.ExamError, match="考试已发布"):
        papers.publish(exam, actor=Actor(user=admin), now=NOW + timedelta(hours=1))
    assert exam.published_at == NOW
    assert len(_enrolled(exam)) == 3


def test_paper_window_and_audience_cannot_change_after_publishing(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    actor = Actor(user=admin)
    rule = papers.RuleSpec(type=SINGLE, count=1, score=Decimal(2))
    from .paper_fixtures import settings

    with pytest.raises(papers.ExamError, match="试题、开考时间和考试对象不能再修改"):
        papers.set_rules(exam, [rule], actor=actor)
    with pytest.raises(papers.ExamError, match="不能再修改"):
        papers.update_exam(exam, settings(audience={}), actor=actor)

    later = exam.closes_at + timedelta(days=3)
    papers.change_close(exam, later, actor=actor, now=NOW)
    assert exam.closes_at == later


# ---------------------------------------------------------------- the closing time


def test_the_close_moves_earlier_but_never_before_now(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)  # open NOW .. NOW + 7 days
    actor, now = Actor(user=admin), NOW + timedelta(days=1)

    with pytest.raises(papers.ExamError, match="不能早于现在"):
        papers.change_close(exam, now - timedelta(minutes=1), actor=actor, now=now)
    papers.change_close(exam, now + timedelta(hours=2), actor=actor, now=now)
    db.session.commit()

    assert exam.closes_at == now + timedelta(hours=2)
    (entry,) = _actions("exam.shorten")
    assert entry.actor_id == admin.id and str(now + timedelta(hours=2)) in entry.detail


def test_shortening_never_cuts_off_an_attempt_in_progress(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    running = add_attempt(exam, people["cadre1"], [], status=AttemptStatus.IN_PROGRESS)
    running.deadline = NOW + timedelta(hours=1)  # started at NOW with 60 minutes
    db.session.commit()
    actor, now = Actor(user=admin), NOW + timedelta(minutes=20)

    # 10:00 UTC+8 start + 60 minutes: the page names 11:00 Beijing time.
    with pytest.raises(papers.ExamError, match="有1人正在作答，最晚的交卷时间为2024-06-01 11:00"):
        papers.change_close(exam, now, actor=actor, now=now)
    papers.change_close(exam, NOW + timedelta(hours=1), actor=actor, now=now)

    assert exam.closes_at == running.deadline


def test_an_attempt_past_its_deadline_does_not_hold_the_close(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    left_open = add_attempt(exam, people["cadre1"], [], status=AttemptStatus.IN_PROGRESS)
    left_open.deadline = NOW + timedelta(hours=1)
    db.session.commit()
    now = NOW + timedelta(hours=3)

    papers.change_close(exam, now, actor=Actor(user=admin), now=now)

    assert exam.closes_at == now


def test_closing_now_lets_the_makeup_start_at_once(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    add_attempt(exam, people["cadre1"], [(q, "B") for q in bank])  # failed
    actor, now = Actor(user=admin), NOW + timedelta(days=1)

    papers.change_close(exam, now, actor=actor, now=now)
    makeup = create_makeup(
        exam, actor=actor, opens_at=now, closes_at=now + timedelta(days=1), now=now
    )

    assert people["cadre1"].id in _enrolled(makeup)


def test_a_close_that_changes_nothing_or_precedes_the_opening_is_refused(tree, admin, people, bank):
    draft = make_exam(tree["town"], admin, audience=_audience(tree, people), questions=bank)
    actor = Actor(user=admin)
    with pytest.raises(papers.ExamError, match="只有已发布的考试可以修改截止时间"):
        papers.change_close(draft, NOW + timedelta(days=9), actor=actor, now=NOW)
    exam = _published(tree, admin, people, bank, opens_at=NOW + timedelta(days=1))
    with pytest.raises(papers.ExamError, match="截止时间没有变化"):
        papers.change_close(exam, exam.closes_at, actor=actor, now=NOW)
    with pytest.raises(papers.ExamError, match="截止时间必须晚于开始时间"):
        papers.change_close(exam, NOW + timedelta(hours=1), actor=actor, now=NOW)


def test_another_towns_admin_cannot_change_the_exam(tree, admin, people, bank, make_user):
    exam = make_exam(tree["town"], admin, audience=_audience(tree, people), questions=bank)
    other = make_user("外镇管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    with pytest.raises(PermissionDenied):
        papers.publish(exam, actor=Actor(user=other), now=NOW)
    with pytest.raises(papers.ExamError, match="不在本单位范围内"):
        papers.create_exam(
            tree["town"],
            papers.Settings(**{**_settings_dict(), "audience": {"units": [tree["other_town"].id]}}),
            actor=Actor(user=admin),
        )


def _settings_dict():
    from .paper_fixtures import settings

    return settings().__dict__


# ---------------------------------------------------------------- enrolment changes


def test_adding_a_person_late_records_who_and_is_audited(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    entry = enrolment.add_person(exam, people["liaison"], actor=Actor(user=admin))
    db.session.commit()

    assert entry.added_late and entry.added_by_id == admin.id
    assert entry.unit_id == tree["village"].id
    with pytest.raises(papers.ExamError, match="已在应考名单中"):
        enrolment.add_person(exam, people["liaison"], actor=Actor(user=admin))
    with pytest.raises(papers.ExamError, match="不在本考试的单位范围内"):
        enrolment.add_person(exam, people["outsider"], actor=Actor(user=admin))
    assert _actions("exam.enrol")[0].actor_id == admin.id


def test_exempting_needs_a_reason_and_records_who_and_when(tree, admin, people, bank):
    _published(tree, admin, people, bank)
    entry = db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == people["cadre1"].id))
    with pytest.raises(papers.ExamError, match="请填写免考原因"):
        enrolment.exempt(entry, "  ", actor=Actor(user=admin), now=NOW)
    with pytest.raises(papers.ExamError, match="不能超过200个字"):
        enrolment.exempt(entry, "长" * 201, actor=Actor(user=admin), now=NOW)

    enrolment.exempt(entry, "病假", actor=Actor(user=admin), now=NOW)
    db.session.commit()
    assert (entry.exempt, entry.exempt_reason) == (True, "病假")
    assert (entry.exempted_by_id, entry.exempted_at) == (admin.id, NOW)
    assert "病假" in _actions("exam.exempt")[0].detail

    enrolment.unexempt(entry, actor=Actor(user=admin))
    assert not entry.exempt
    assert "病假" in _actions("exam.unexempt")[0].detail


# ---------------------------------------------------------------- make-up and cancel


def test_makeup_enrols_exactly_the_absent_and_the_failed(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    right = [(q, "A") for q in bank]
    add_attempt(exam, people["cadre1"], right)  # 8 points: passed
    add_attempt(exam, people["cadre2"], [(q, "B") for q in bank])  # 0: failed
    add_attempt(exam, people["cadre2"], right[:2], number=2)  # 4: still failed
    add_attempt(exam, people["cadre3"], right, status=AttemptStatus.IN_PROGRESS)  # absent
    actor = Actor(user=admin)
    opens = exam.closes_at + timedelta(days=1)

    with pytest.raises(papers.ExamError, match="正式考试结束后才能创建补考"):
        create_makeup(exam, actor=actor, opens_at=opens, closes_at=opens, now=NOW)
    after = exam.closes_at + timedelta(minutes=1)
    makeup = create_makeup(
        exam, actor=actor, opens_at=opens, closes_at=opens + timedelta(days=3), now=after
    )
    db.session.commit()

    assert _enrolled(makeup) == {people["cadre2"].id, people["cadre3"].id}
    assert makeup.kind is ExamKind.MAKEUP and makeup.parent_exam_id == exam.id
    assert makeup.status is ExamStatus.PUBLISHED
    assert [q.question_id for q in makeup.fixed_questions] == [q.id for q in bank]


def test_makeup_is_not_offered_to_saved_answers_that_passed_at_the_deadline(
    tree, admin, people, bank
):
    exam = _published(tree, admin, people, bank)
    left_open = [
        add_attempt(
            exam, people["cadre1"], [(q, "A") for q in bank], status=AttemptStatus.IN_PROGRESS
        ),
        add_attempt(
            exam, people["cadre2"], [(q, "B") for q in bank], status=AttemptStatus.IN_PROGRESS
        ),
    ]
    for attempt in left_open:  # left open until the window closed, never handed in
        attempt.deadline = exam.closes_at
    db.session.commit()
    after = exam.closes_at + timedelta(minutes=1)

    makeup = create_makeup(
        exam, actor=Actor(user=admin), opens_at=after, closes_at=after + timedelta(1), now=after
    )
    db.session.commit()

    enrolled = _enrolled(makeup)
    assert people["cadre1"].id not in enrolled  # 8 of 8 saved: passed at the deadline
    assert people["cadre2"].id in enrolled  # 0 of 8 saved: sat and failed
    # Counted as finalized, not written: the sweeper finalizes them.
    assert attempts.finalize_overdue(after) == 2


def test_makeup_leaves_out_the_exempted(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    for entry in db.session.scalars(sa.select(Enrolment)):
        enrolment.exempt(entry, "调离", actor=Actor(user=admin), now=NOW)
    after = exam.closes_at + timedelta(minutes=1)
    with pytest.raises(papers.ExamError, match="没有需要补考的人员"):
        create_makeup(
            exam, actor=Actor(user=admin), opens_at=after, closes_at=after + timedelta(1), now=after
        )


def test_cancel_keeps_the_record(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    papers.cancel(exam, actor=Actor(user=admin))
    db.session.commit()
    db.session.expire_all()

    exam = db.session.get(Exam, exam.id)
    assert exam.status is ExamStatus.CANCELLED
    assert len(_enrolled(exam)) == 3
    assert len(_actions("exam.cancel")) == 1


# ---------------------------------------------------------------- monitor


def _monitor_case(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    right, wrong = [(q, "A") for q in bank], [(q, "B") for q in bank]
    add_attempt(exam, people["cadre1"], right)
    add_attempt(exam, people["cadre2"], wrong)
    add_attempt(exam, people["cadre3"], right, status=AttemptStatus.IN_PROGRESS)
    enrolment.add_person(exam, people["official"], actor=Actor(user=admin))
    enrolment.add_person(exam, people["liaison"], actor=Actor(user=admin))
    liaison = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.user_id == people["liaison"].id)
    )
    enrolment.exempt(liaison, "病假", actor=Actor(user=admin), now=NOW)
    db.session.commit()
    return exam


def test_monitor_gives_each_person_a_status_and_counts(tree, admin, people, bank):
    exam = _monitor_case(tree, admin, people, bank)

    counts, rows = monitor.exam_progress(exam, admin, NOW)

    status = {row.Enrolment.user.name: (row.status, row.best) for row in rows}
    assert status == {
        "村干部一": ("passed", Decimal(8)),
        "村干部二": ("failed", Decimal(0)),
        "红岩干部": ("in_progress", None),
        "机关干部": ("not_started", None),
        "明白人": ("exempt", None),
    }
    assert counts.enrolled == 4 and counts.submitted == 2
    assert counts.by_status[monitor.Progress.PASSED] == 1


def test_monitor_of_a_unit_admin_shows_only_their_village(tree, admin, people, bank, unit_admin):
    exam = _monitor_case(tree, admin, people, bank)

    counts, rows = monitor.exam_progress(exam, unit_admin, NOW)

    assert {row.Enrolment.user.name for row in rows} == {"村干部一", "村干部二", "明白人"}
    assert counts.enrolled == 2
    failed = db.session.execute(
        monitor.progress_select(exam, admin, now=NOW, status=monitor.Progress.FAILED)
    ).all()
    assert [row.Enrolment.user.name for row in failed] == ["村干部二"]


# ---------------------------------------------------------------- item analysis, regrade


def test_item_analysis_gives_correct_rates_and_most_chosen_wrong_option(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    q1, q2 = bank[0], bank[1]
    add_attempt(exam, people["cadre1"], [(q1, "A"), (q2, "C")])
    add_attempt(exam, people["cadre2"], [(q1, "C"), (q2, "C")])
    add_attempt(exam, people["cadre3"], [(q1, "C"), (q2, "")])
    add_attempt(exam, people["official"], [(q1, "B")], status=AttemptStatus.IN_PROGRESS)

    stats = {s.question.id: s for s in monitor.item_analysis(exam, admin, now=NOW)}

    assert (stats[q1.id].answered, stats[q1.id].correct) == (3, 1)
    assert str(stats[q1.id].correct_rate) == "33.3%"
    assert (stats[q1.id].top_wrong, stats[q1.id].top_wrong_count) == ("C", 2)
    assert (stats[q2.id].shown, stats[q2.id].answered, stats[q2.id].correct) == (3, 2, 0)
    assert stats[q2.id].top_wrong == "C"


def test_fixing_an_answer_key_regrades_affected_attempts_only(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank, pass_score=Decimal(4))
    q1, q2, q3 = bank[0], bank[1], bank[2]
    a1 = add_attempt(exam, people["cadre1"], [(q1, "B"), (q2, "A")])  # 2: failed
    a2 = add_attempt(exam, people["cadre2"], [(q1, "A"), (q2, "A")])  # 4: passed
    a3 = add_attempt(exam, people["cadre3"], [(q2, "A"), (q3, "B")])  # without q1
    a3_score = a3.score

    changed = regrade.fix_answer_key(q1, "b", actor=Actor(user=admin))
    db.session.commit()

    assert changed == 2 and q1.answer == "B"
    assert (a1.score, a1.passed) == (Decimal(4), True)
    assert (a2.score, a2.passed) == (Decimal(2), False)
    assert a1.questions[0].correct and not a2.questions[0].correct
    assert a3.score == a3_score
    assert "2份答卷" in _actions("question.fix_answer")[0].detail


def test_fixing_an_answer_key_checks_the_letters(tree, admin, bank):
    with pytest.raises(papers.ExamError, match="只能有一个选项"):
        regrade.fix_answer_key(bank[0], "AB", actor=Actor(user=admin))
    with pytest.raises(papers.ExamError, match="A到D"):
        regrade.fix_answer_key(bank[0], "E", actor=Actor(user=admin))


def test_monitor_counts_an_overdue_attempt_as_finalized_without_writing(tree, admin, people, bank):
    exam = _published(tree, admin, people, bank)
    attempt = add_attempt(
        exam, people["cadre1"], [(q, "A") for q in bank], status=AttemptStatus.IN_PROGRESS
    )
    attempt.deadline = NOW + timedelta(minutes=30)
    db.session.commit()

    counts, rows = monitor.exam_progress(exam, admin, NOW + timedelta(hours=2))

    assert counts.by_status[monitor.Progress.PASSED] == 1
    assert counts.by_status[monitor.Progress.IN_PROGRESS] == 0
    assert [r.best for r in rows if r.Enrolment.user_id == people["cadre1"].id] == [Decimal(8)]
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).status is AttemptStatus.IN_PROGRESS
