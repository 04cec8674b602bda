"""The attempt services: drawing a paper, the server's deadline, saving answers with
sequence numbers, submitting once, finalizing overdue attempts, review policies."""

import random
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.exams.conftest import STANDARD_RULES
from yongxi_learn.core.exceptions import NotFound
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import attempts
from yongxi_learn.exams.grading import canonical_to_shown
from yongxi_learn.exams.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Exam,
    ExamKind,
    QuestionCategory,
    QuestionStatus,
    QuestionType,
    ReviewPolicy,
)
from yongxi_learn.exams.taking import my_exams
from yongxi_learn.exams.taking import review as reviews
from yongxi_learn.extensions import db
from yongxi_learn.org.models import User

GRACE = attempts.GRACE


def key_shown(aq: AttemptQuestion) -> str:
    return canonical_to_shown(aq.question.answer, aq.option_order)


def wrong_shown(aq: AttemptQuestion) -> str:
    return next(letter for letter in "AB" if letter != key_shown(aq)[0])


def start(exam, user, now=None, **kw):
    attempt = attempts.start_attempt(exam, user, now or utcnow(), **kw)
    db.session.commit()
    return attempt


def answer_all(attempt, user, now, right: int):
    """Answer the first ``right`` questions correctly and the rest wrongly."""
    for i, aq in enumerate(attempt.questions):
        shown = key_shown(aq) if i < right else wrong_shown(aq)
        attempts.save_answer(attempt, user, aq.position, shown, now=now)
    db.session.commit()
    db.session.expire_all()


def paper(attempt):
    return [(aq.question_id, tuple(aq.option_order)) for aq in attempt.questions]


# ---------------------------------------------------------------- drawing the paper


def test_rule_paper_has_the_rules_counts_and_types_without_repeats(exam, cadre):
    attempt = start(exam, cadre)
    types = [aq.question.type for aq in attempt.questions]
    assert types == [QuestionType.SINGLE] * 4 + [QuestionType.MULTI] * 2 + [QuestionType.JUDGE] * 3
    assert len({aq.question_id for aq in attempt.questions}) == 9
    assert [aq.position for aq in attempt.questions] == list(range(1, 10))
    assert attempt.max_score == Decimal(100)
    assert [aq.score for aq in attempt.questions][:5] == [Decimal(10)] * 4 + [Decimal(15)]


def test_two_people_draw_different_papers(exam, cadre, other):
    assert paper(start(exam, cadre)) != paper(start(exam, other))


def test_many_draws_are_all_valid_and_mostly_distinct(exam, cadre, bank):
    drawn = set()
    for seed in range(20):
        items = attempts._draw_sheet(exam, random.Random(seed))
        ids = [q.id for q, _ in items]
        assert len(ids) == len(set(ids)) == 9
        assert all(q.status is QuestionStatus.ACTIVE for q, _ in items)
        drawn.add(tuple(ids))
    assert len(drawn) >= 18


def test_rule_filters_by_category_law_and_difficulty(make_exam, make_question, cadre, tree):
    category = QuestionCategory(owner_unit=tree["town"], name="民法典")
    db.session.add(category)
    wanted = [
        make_question(category=category, law_ref="民法典", difficulty=3, commit=False)
        for _ in range(3)
    ]
    make_question(category=category, law_ref="民法典", difficulty=1, commit=False)
    make_question(law_ref="民法典", difficulty=3, commit=False)
    make_question(category=category, law_ref="宪法", difficulty=3, commit=False)
    db.session.commit()
    rule = {"category_id": category.id, "law_ref": "民法典", "difficulty": 3}
    exam = make_exam(rules=[(QuestionType.SINGLE, 3, 10, rule)], enrol=[cadre])
    attempt = start(exam, cadre)
    assert {aq.question_id for aq in attempt.questions} == {q.id for q in wanted}


def test_draw_uses_the_district_bank_but_never_another_towns(make_exam, make_question, tree, cadre):
    district_q = make_question(owner=tree["district"])
    make_question(owner=tree["other_town"])
    exam = make_exam(rules=[(QuestionType.SINGLE, 1, 100)], enrol=[cadre])
    attempt = start(exam, cadre)
    assert [aq.question_id for aq in attempt.questions] == [district_q.id]


def test_retired_questions_are_never_drawn(make_exam, make_question, cadre):
    make_question().status = QuestionStatus.RETIRED
    active = make_question()
    exam = make_exam(rules=[(QuestionType.SINGLE, 1, 100)], enrol=[cadre])
    assert [aq.question_id for aq in start(exam, cadre).questions] == [active.id]


def test_too_small_a_bank_refuses_to_start_and_creates_nothing(make_exam, make_question, cadre):
    make_question()
    exam = make_exam(rules=[(QuestionType.SINGLE, 2, 50)], enrol=[cadre])
    with pytest.raises(attempts.NotEnoughQuestions):
        attempts.start_attempt(exam, cadre, utcnow())
    assert count_rows(Attempt) == 0


def test_fixed_paper_has_its_questions_with_their_scores(make_exam, bank, cadre):
    chosen = [bank[QuestionType.SINGLE][0], bank[QuestionType.JUDGE][0]]
    exam = make_exam(fixed=[(chosen[0], 60), (chosen[1], 40)], enrol=[cadre])
    attempt = start(exam, cadre)
    assert [(aq.question_id, aq.score) for aq in attempt.questions] == [
        (chosen[0].id, Decimal(60)),
        (chosen[1].id, Decimal(40)),
    ]


def test_starting_a_fixed_paper_reads_its_questions_in_one_statement(make_exam, bank, cadre):
    chosen = [*bank[QuestionType.SINGLE], *bank[QuestionType.JUDGE]]
    exam = make_exam(fixed=[(q, 5) for q in chosen], enrol=[cadre])
    exam_id, cadre_id, ids = exam.id, cadre.id, sorted(q.id for q in chosen)
    db.session.expunge_all()  # as a request's session: nothing loaded yet
    exam, person = db.session.get(Exam, exam_id), db.session.get(User, cadre_id)
    reads = []

    def record(conn, cursor, statement, *args):
        if re.search(r"\b(FROM|JOIN) question\b", statement):
            reads.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        attempt = start(exam, person)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)

    assert sorted(aq.question_id for aq in attempt.questions) == ids
    assert len(reads) == 1, reads  # one per question before


def test_judge_options_are_never_shuffled(exam, cadre):
    attempt = start(exam, cadre)
    for aq in attempt.questions:
        if aq.question.type is QuestionType.JUDGE:
            assert aq.option_order == [0, 1]


def test_options_are_shuffled_per_person_when_asked(exam, cadre):
    rng = random.Random(7)
    attempt = start(exam, cadre, rng=rng)
    orders = [
        aq.option_order for aq in attempt.questions if aq.question.type is QuestionType.SINGLE
    ]
    assert any(order != [0, 1, 2, 3] for order in orders)
    assert all(sorted(order) == [0, 1, 2, 3] for order in orders)


def test_without_shuffling_the_fixed_order_and_options_are_kept(make_exam, bank, cadre):
    chosen = bank[QuestionType.SINGLE][:4]
    exam = make_exam(
        fixed=[(q, 25) for q in chosen],
        enrol=[cadre],
        shuffle_questions=False,
        shuffle_options=False,
    )
    attempt = start(exam, cadre)
    assert [aq.question_id for aq in attempt.questions] == [q.id for q in chosen]
    assert all(aq.option_order == [0, 1, 2, 3] for aq in attempt.questions)


# ---------------------------------------------------------------- deadline and starting


def test_deadline_is_start_plus_time_limit_when_the_window_closes_later(exam, cadre):
    now = utcnow()
    assert start(exam, cadre, now).deadline == now + timedelta(minutes=60)


def test_deadline_is_the_window_close_when_that_comes_first(make_exam, bank, cadre):
    now = utcnow()
    closes = now + timedelta(minutes=20)
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], closes_at=closes, time_limit=60)
    assert start(exam, cadre, now).deadline == closes


def test_untimed_exam_without_a_close_has_no_deadline(make_exam, bank, cadre):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], time_limit=None)
    exam.closes_at = None
    db.session.commit()
    assert start(exam, cadre).deadline is None


def test_starting_again_resumes_the_same_attempt_with_the_same_deadline(exam, cadre):
    now = utcnow()
    first = start(exam, cadre, now)
    again = start(exam, cadre, now + timedelta(minutes=5))
    assert again.id == first.id
    assert again.deadline == now + timedelta(minutes=60)
    assert paper(again) == paper(first)
    assert count_rows(Attempt) == 1


def test_a_person_not_enrolled_cannot_start(exam, make_user, tree):
    outsider = make_user("王五", tree["office"])
    with pytest.raises(attempts.NotEnrolled):
        attempts.start_attempt(exam, outsider, utcnow())


def test_an_exempt_person_cannot_start(make_exam, bank, make_user, tree):
    sick = make_user("病假人", tree["office"])
    exam = make_exam(rules=STANDARD_RULES, exempt=[sick])
    with pytest.raises(attempts.NotEnrolled):
        attempts.start_attempt(exam, sick, utcnow())


def test_exam_cannot_start_before_it_opens_or_after_it_closes(make_exam, bank, cadre):
    now = utcnow()
    later = make_exam(rules=STANDARD_RULES, enrol=[cadre], opens_at=now + timedelta(hours=1))
    with pytest.raises(attempts.ExamNotOpen):
        attempts.start_attempt(later, cadre, now)
    closed = make_exam(
        rules=STANDARD_RULES, enrol=[cadre], opens_at=now - timedelta(days=2), closes_at=now
    )
    with pytest.raises(attempts.ExamClosed):
        attempts.start_attempt(closed, cadre, now)


def test_no_new_attempt_once_the_allowed_ones_are_used(exam, cadre):
    now = utcnow()
    attempts.submit_attempt(start(exam, cadre, now), cadre, now)
    with pytest.raises(attempts.NoAttemptsLeft):
        attempts.start_attempt(exam, cadre, now)


def test_second_try_is_numbered_two_with_a_new_paper(make_exam, bank, cadre):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], max_attempts=2)
    now = utcnow()
    first = start(exam, cadre, now)
    attempts.submit_attempt(first, cadre, now)
    second = start(exam, cadre, now)
    assert (first.number, second.number) == (1, 2)
    assert second.status is AttemptStatus.IN_PROGRESS


def test_a_start_that_loses_the_race_returns_the_winners_attempt(exam, cadre, monkeypatch):
    winner = start(exam, cadre)
    # As if the winner's row appeared after this request looked for one in progress.
    monkeypatch.setattr(attempts, "_attempt_in_progress", lambda exam, user: None)
    monkeypatch.setattr(attempts, "_last_number", lambda exam, user: 0)
    again = attempts.start_attempt(exam, cadre, utcnow())
    db.session.commit()
    assert again.id == winner.id
    assert count_rows(Attempt) == 1


# ---------------------------------------------------------------- saving answers


def test_answer_is_stored_in_canonical_letters(make_exam, bank, cadre):
    question = bank[QuestionType.MULTI][0]
    exam = make_exam(fixed=[(question, 100)], enrol=[cadre], shuffle_options=False)
    attempt = start(exam, cadre)
    db.session.execute(sa.update(AttemptQuestion).values(option_order=[2, 0, 3, 1]))
    db.session.commit()
    db.session.expire_all()
    assert attempts.save_answer(attempt, cadre, 1, "ab", now=utcnow()).applied
    db.session.expire_all()
    assert attempt.questions[0].response == "AC"


def test_an_older_answer_arriving_late_never_overwrites_a_newer_one(exam, cadre):
    attempt = start(exam, cadre)
    now = utcnow()
    assert attempts.save_answer(attempt, cadre, 1, "C", now=now, base=0, age_ms=0).applied
    late = attempts.save_answer(attempt, cadre, 1, "A", now=now, base=0, age_ms=90_000)
    assert (late.applied, late.letters, late.version) == (False, "C", 1)
    db.session.commit()
    db.session.expire_all()
    row = attempt.questions[0]
    assert (row.version, canonical_to_shown(row.response, row.option_order)) == (1, "C")


def test_an_answer_based_on_the_saved_version_applies_whenever_it_was_given(exam, cadre):
    """Nothing changed since the page learned version 1: its answer follows it, even
    if its clock says it was given before (a phone's reckoning is not trusted more
    than the order of versions)."""
    attempt = start(exam, cadre)
    now = utcnow()
    attempts.save_answer(attempt, cadre, 1, "C", now=now)
    saved = attempts.save_answer(attempt, cadre, 1, "D", now=now, base=1, age_ms=60_000)
    assert (saved.applied, saved.letters, saved.version) == (True, "D", 2)


def test_retrying_the_same_save_is_harmless(exam, cadre):
    attempt = start(exam, cadre)
    now = utcnow()
    assert attempts.save_answer(attempt, cadre, 2, "B", now=now, base=0, age_ms=0).applied
    again = attempts.save_answer(attempt, cadre, 2, "B", now=now, base=0, age_ms=0)
    assert (again.applied, again.letters, again.version) == (False, "B", 1)
    db.session.expire_all()
    assert attempt.questions[1].version == 1
    assert (
        canonical_to_shown(attempt.questions[1].response, attempt.questions[1].option_order) == "B"
    )


def test_an_empty_answer_clears_the_saved_one(exam, cadre):
    attempt = start(exam, cadre)
    attempts.save_answer(attempt, cadre, 1, "A", now=utcnow())
    attempts.save_answer(attempt, cadre, 1, "", now=utcnow())
    db.session.expire_all()
    assert attempt.questions[0].response == ""


@pytest.mark.parametrize(
    ("position", "answer"),
    [(1, "AB"), (1, "E"), (1, "Z"), (8, "C"), (99, "A"), (None, "A")],
)
def test_invalid_answers_are_refused_and_change_nothing(exam, cadre, position, answer):
    attempt = start(exam, cadre)  # 1-4 单选 (4 options), 7-9 判断 (2 options)
    with pytest.raises(attempts.InvalidAnswer):
        attempts.save_answer(attempt, cadre, position, answer, now=utcnow())
    db.session.expire_all()
    assert all(aq.response == "" and aq.version == 0 for aq in attempt.questions)


def test_multi_choice_takes_several_letters(exam, cadre):
    attempt = start(exam, cadre)
    assert attempts.save_answer(attempt, cadre, 5, "ABD", now=utcnow()).letters == "ABD"


def test_an_answer_within_the_grace_period_is_kept(exam, cadre):
    attempt = start(exam, cadre)
    late = attempt.deadline + GRACE - timedelta(seconds=1)
    assert attempts.save_answer(attempt, cadre, 1, "A", now=late).applied


def test_an_answer_after_the_deadline_is_refused_and_changes_nothing(exam, cadre):
    attempt = start(exam, cadre)
    attempts.save_answer(attempt, cadre, 1, "A", now=utcnow())
    db.session.commit()
    with pytest.raises(attempts.AttemptFinished):
        attempts.save_answer(attempt, cadre, 1, "B", now=attempt.deadline + GRACE * 2)
    db.session.expire_all()
    assert canonical_to_shown(attempt.questions[0].response, attempt.questions[0].option_order) == (
        "A"
    )
    assert attempt.questions[0].version == 1


def test_someone_elses_attempt_is_not_found(exam, cadre, other):
    attempt = start(exam, cadre)
    with pytest.raises(NotFound):
        attempts.save_answer(attempt, other, 1, "A", now=utcnow())
    with pytest.raises(NotFound):
        attempts.submit_attempt(attempt, other, utcnow())
    with pytest.raises(NotFound):
        attempts.load_attempt(attempt.id, other)
    db.session.expire_all()
    assert attempt.status is AttemptStatus.IN_PROGRESS
    assert all(aq.version == 0 for aq in attempt.questions)


# ---------------------------------------------------------------- submitting


def test_submit_grades_the_saved_answers(exam, cadre):
    now = utcnow()
    attempt = start(exam, cadre, now)
    answer_all(attempt, cadre, now, right=6)  # 4 单选 x 10 + 2 多选 x 15 = 70
    attempts.submit_attempt(attempt, cadre, now)
    db.session.commit()
    assert (attempt.score, attempt.max_score, attempt.passed) == (Decimal(70), Decimal(100), True)
    assert attempt.status is AttemptStatus.SUBMITTED
    assert [aq.correct for aq in attempt.questions] == [True] * 6 + [False] * 3
    assert [aq.awarded for aq in attempt.questions][-1] == Decimal(0)


def test_an_unanswered_paper_scores_zero_and_fails(exam, cadre):
    attempt = start(exam, cadre)
    attempts.submit_attempt(attempt, cadre, utcnow())
    assert (attempt.score, attempt.passed) == (Decimal(0), False)


def test_submitting_twice_keeps_one_result(exam, cadre):
    now = utcnow()
    attempt = start(exam, cadre, now)
    answer_all(attempt, cadre, now, right=9)
    attempts.submit_attempt(attempt, cadre, now)
    db.session.commit()
    again = attempts.submit_attempt(attempt, cadre, now + timedelta(minutes=1))
    db.session.commit()
    assert (again.id, again.score, again.finished_at) == (attempt.id, Decimal(100), now)
    assert count_rows(Attempt) == 1


def test_a_late_submit_is_refused_and_the_attempt_is_finalized_at_its_deadline(exam, cadre):
    now = utcnow()
    attempt = start(exam, cadre, now)
    answer_all(attempt, cadre, now, right=4)
    with pytest.raises(attempts.AttemptFinished):
        attempts.submit_attempt(attempt, cadre, attempt.deadline + GRACE * 3)
    assert attempt.status is AttemptStatus.EXPIRED
    assert attempt.finished_at == attempt.deadline
    assert attempt.score == Decimal(40)


def test_answers_cannot_change_after_submitting(exam, cadre):
    attempt = start(exam, cadre)
    attempts.submit_attempt(attempt, cadre, utcnow())
    with pytest.raises(attempts.AttemptFinished):
        attempts.save_answer(attempt, cadre, 1, "A", now=utcnow())


# ---------------------------------------------------------------- finalizing overdue attempts


def test_finalize_overdue_grades_saved_answers_finished_at_the_deadline(exam, cadre, other):
    now = utcnow()
    late = start(exam, cadre, now)
    answer_all(late, cadre, now, right=3)
    running = start(exam, other, now + timedelta(minutes=30))
    assert attempts.finalize_overdue(late.deadline + GRACE + timedelta(seconds=1)) == 1
    db.session.commit()
    assert (late.status, late.finished_at, late.score) == (
        AttemptStatus.EXPIRED,
        late.deadline,
        Decimal(30),
    )
    assert running.status is AttemptStatus.IN_PROGRESS


def test_finalize_overdue_twice_finalizes_nothing_more(exam, cadre):
    attempt = start(exam, cadre)
    later = attempt.deadline + timedelta(hours=1)
    assert attempts.finalize_overdue(later) == 1
    db.session.commit()
    assert attempts.finalize_overdue(later) == 0
    assert attempt.finished_at == attempt.deadline


def test_starting_after_an_overdue_attempt_finalizes_it_first(make_exam, bank, cadre):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], max_attempts=2)
    now = utcnow()
    first = start(exam, cadre, now)
    second = start(exam, cadre, first.deadline + timedelta(hours=1))
    assert first.status is AttemptStatus.EXPIRED
    assert second.number == 2


def test_untimed_attempts_are_never_overdue(make_exam, bank, cadre):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], time_limit=None)
    exam.closes_at = None
    db.session.commit()
    start(exam, cadre)
    assert attempts.finalize_overdue(utcnow() + timedelta(days=365)) == 0


# ---------------------------------------------------------------- review


def test_immediate_review_shows_the_key_in_the_persons_letters(exam, cadre):
    now = utcnow()
    attempt = start(exam, cadre, now)
    answer_all(attempt, cadre, now, right=1)
    attempts.submit_attempt(attempt, cadre, now)
    shown = reviews.review(attempt, cadre, now)
    assert shown.details_shown
    first = shown.items[0]
    assert first.key == key_shown(attempt.questions[0]) == first.response
    assert (
        first.options[0]
        == attempt.questions[0].question.options[attempt.questions[0].option_order[0]]
    )


def test_after_close_review_hides_details_until_the_window_closes(make_exam, bank, cadre):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], review=ReviewPolicy.AFTER_CLOSE)
    now = utcnow()
    attempt = start(exam, cadre, now)
    attempts.submit_attempt(attempt, cadre, now)
    hidden = reviews.review(attempt, cadre, now)
    assert not hidden.details_shown
    assert hidden.hidden_until == exam.closes_at
    assert all(item.key is None and item.correct is None for item in hidden.items)
    assert reviews.review(attempt, cadre, exam.closes_at).details_shown


def test_never_review_shows_only_the_score(make_exam, bank, cadre):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], review=ReviewPolicy.NEVER)
    attempt = start(exam, cadre)
    attempts.submit_attempt(attempt, cadre, utcnow())
    shown = reviews.review(attempt, cadre, utcnow() + timedelta(days=365))
    assert not shown.details_shown and shown.hidden_until is None
    assert shown.attempt.score == Decimal(0)


def test_no_review_before_the_attempt_is_finished(exam, cadre):
    with pytest.raises(attempts.AttemptError):
        reviews.review(start(exam, cadre), cadre, utcnow())


# ---------------------------------------------------------------- my exams


def status_of(user, now=None):
    return {e.exam.title: e.status for e in my_exams.available_exams(user, now or utcnow())}


def test_my_exams_shows_each_exams_status(make_exam, bank, cadre):
    now = utcnow()
    make_exam(title="未开始的", rules=STANDARD_RULES, enrol=[cadre], opens_at=now + timedelta(1))
    make_exam(title="可参加的", rules=STANDARD_RULES, enrol=[cadre])
    running = make_exam(title="进行中的", rules=STANDARD_RULES, enrol=[cadre])
    start(running, cadre, now)
    failed = make_exam(title="未通过的", rules=STANDARD_RULES, enrol=[cadre])
    attempts.submit_attempt(start(failed, cadre, now), cadre, now)
    make_exam(
        title="已结束的",
        rules=STANDARD_RULES,
        enrol=[cadre],
        opens_at=now - timedelta(days=3),
        closes_at=now - timedelta(days=1),
    )
    db.session.commit()
    assert status_of(cadre, now) == {
        "未开始的": "未开始",
        "可参加的": "可参加",
        "进行中的": "进行中",
        "未通过的": "未通过",
        "已结束的": "已结束",
    }


def test_my_exams_shows_passed_with_the_best_score(make_exam, bank, cadre):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], max_attempts=3)
    now = utcnow()
    attempt = start(exam, cadre, now)
    answer_all(attempt, cadre, now, right=9)
    attempts.submit_attempt(attempt, cadre, now)
    db.session.commit()
    [entry] = my_exams.available_exams(cadre, now)
    assert (entry.status, entry.best_score) == ("已通过", Decimal(100))


def test_my_exams_leaves_out_exempt_and_unpublished_exams(make_exam, bank, cadre):
    from yongxi_learn.exams.models import ExamStatus

    make_exam(title="免考", rules=STANDARD_RULES, exempt=[cadre])
    make_exam(title="草稿", rules=STANDARD_RULES, enrol=[cadre], status=ExamStatus.DRAFT)
    assert status_of(cadre) == {}


def test_practice_exams_are_marked_as_practice(make_exam, bank, cadre):
    exam = make_exam(kind=ExamKind.PRACTICE, rules=STANDARD_RULES, enrol=[cadre], time_limit=None)
    [entry] = my_exams.available_exams(cadre, utcnow())
    assert entry.exam.kind is ExamKind.PRACTICE and entry.exam.id == exam.id


def test_a_submit_in_the_grace_period_counts_and_finishes_at_the_deadline(exam, cadre):
    attempt = start(exam, cadre)
    attempts.submit_attempt(attempt, cadre, attempt.deadline + GRACE - timedelta(seconds=1))
    assert (attempt.status, attempt.finished_at) == (AttemptStatus.SUBMITTED, attempt.deadline)


def test_practice_papers_drawn_by_a_person_are_practice_and_untimed(exam, cadre):
    from yongxi_learn.exams.taking import practice

    # After the exam closes: until then its rules' pools (the whole bank) are not practised.
    attempt = practice.start_practice(
        cadre, utcnow() + timedelta(days=8), law_ref="中华人民共和国宪法"
    )
    assert attempt.exam.kind is ExamKind.PRACTICE
    assert attempt.deadline is None
    assert my_exams.available_exams(cadre, utcnow())[0].exam.id == exam.id
    assert len(my_exams.available_exams(cadre, utcnow())) == 1


def test_wrong_book_drops_a_question_once_it_is_answered_right_later(make_exam, bank, cadre):
    from yongxi_learn.exams.taking import practice

    question = bank[QuestionType.SINGLE][0]
    exam = make_exam(fixed=[(question, 100)], enrol=[cadre], max_attempts=2)
    now = utcnow()
    first = start(exam, cadre, now)
    attempts.submit_attempt(first, cadre, now)
    # The 错题本 is read after the exam closed: until then it keeps its keys (exams.keys).
    later = now + timedelta(days=8)
    assert [item.question.id for item in practice.wrong_book(cadre, later)] == [question.id]
    second = start(exam, cadre, now + timedelta(minutes=1))
    answer_all(second, cadre, now, right=1)
    attempts.submit_attempt(second, cadre, now + timedelta(minutes=2))
    assert practice.wrong_book(cadre, later) == []
