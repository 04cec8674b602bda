"""The attempt page as written by exams/taking/page.py and the submit fast path
(exams/fast_submit.py, exams/scoring.py): what the person sees and what is stored
must be what the template and the ORM path gave before."""

import re
import threading
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
import sqlalchemy as sa

from tests.exams.conftest import STANDARD_RULES
from tests.exams.taking import (
    begin,
    clock,
    close,
    hand_in_fast,
    key_shown,
    login_token,
    post_answer,
    text,
)
from yongxi_learn.core.time import format_local, utcnow
from yongxi_learn.exams import attempts, grading
from yongxi_learn.exams.models import (
    JUDGE_OPTIONS,
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    ExamKind,
    QuestionType,
)
from yongxi_learn.extensions import db
from yongxi_learn.org.models import User


@pytest.fixture
def as_cadre(client, login, cadre):
    login(cadre)
    return client


def fieldset(html: str, position: int) -> str:
    match = re.search(rf'<fieldset class="question" id="q{position}".*?</fieldset>', html, re.S)
    assert match, f"question {position} is not on the page"
    return match.group(0)


def shown_options(block: str) -> list[tuple[str, str]]:
    """(letter, text as the person reads it) of each option, in page order."""
    pairs = re.findall(
        r'value="([A-F])"[^>]*>\s*<span class="letter">\1\.</span>\s*'
        r'<span class="option-text">(.*?)</span>',
        block,
        re.S,
    )
    return [(letter, unescape(option)) for letter, option in pairs]


def run_together(target, arguments) -> None:
    """``target(*args)`` for each of ``arguments``, each in a thread of its own."""
    threads = [threading.Thread(target=target, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def rows(attempt_id: int) -> list[AttemptQuestion]:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id).questions


# ---------------------------------------------------------------- the attempt page


def test_options_appear_in_each_persons_drawn_order_with_letters_from_a(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}"))
    orders = []
    for aq in attempt.questions:
        block = fieldset(html, aq.position)
        expected = [aq.question.options[i] for i in aq.option_order]
        assert shown_options(block) == list(zip("ABCDEF", expected, strict=False))
        kind = "checkbox" if aq.question.type is QuestionType.MULTI else "radio"
        assert block.count(f'type="{kind}" name="q{aq.position}"') == len(expected)
        assert f'<span class="tag" data-speak-part>{aq.question.type.label}</span>' in block
        assert "（10分）" in block or "（15分）" in block
        orders.append(aq.option_order)
        if aq.question.type is QuestionType.JUDGE:  # never shuffled
            assert [text for _, text in shown_options(block)] == JUDGE_OPTIONS
    assert any(order != sorted(order) for order in orders)  # the exam shuffles options
    positions = [int(n) for n in re.findall(r'<fieldset class="question" id="q(\d+)"', html)]
    assert positions == list(range(1, 10))
    assert re.findall(r'data-nav="(\d+)"', html) == [str(n) for n in range(1, 10)]


def test_saved_answers_are_checked_counted_and_marked_in_the_nav(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    multi = next(aq for aq in attempt.questions if aq.question.type is QuestionType.MULTI)
    single = next(aq for aq in attempt.questions if aq.question.type is QuestionType.SINGLE)
    post_answer(as_cadre, attempt.id, position=multi.position, answer="CA")
    post_answer(as_cadre, attempt.id, position=single.position, answer="D")
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}"))
    checked = re.findall(r'name="q(\d+)" value="([A-F])" checked', html)
    assert sorted(checked) == sorted(
        [(str(multi.position), "A"), (str(multi.position), "C"), (str(single.position), "D")]
    )
    answered_nav = re.findall(r'data-nav="(\d+)" class="answered"', html)
    assert sorted(answered_nav) == sorted([str(multi.position), str(single.position)])
    assert '已答 <strong id="exam-answered">2</strong>/9' in html
    assert 'data-versions="2"' in html and 'data-total="9"' in html


def test_the_deadline_and_time_left_are_shown_in_local_time(as_cadre, exam, monkeypatch):
    now = utcnow()
    clock(monkeypatch, now)
    attempt = begin(as_cadre, exam)
    clock(monkeypatch, now + timedelta(minutes=15, seconds=30))
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}"))
    assert f"截止时间 {format_local(attempt.deadline, '%m-%d %H:%M')}，到时自动交卷。" in html
    assert 'data-remaining="2670"' in html
    assert '<strong id="exam-remaining" role="timer">44:30</strong>' in html
    assert "共9题，满分100分。" in html
    assert f"<title>{exam.title} - 雍溪学法</title>" in html


def test_an_untimed_practice_says_so_and_has_no_countdown(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    close(exam)  # its mistakes are practised once it closed
    response = as_cadre.post("/exams/practice", data={"wrong_only": "1"})
    html = text(as_cadre.get(response.headers["Location"]))
    assert "不限时" in html and "data-remaining" not in html and "截止时间" not in html


def test_question_and_option_text_is_escaped(as_cadre, make_exam, make_question, cadre):
    stem = '<script>alert("题干")</script> 甲 & 乙'
    option = "<b onmouseover='x'>选项</b>"
    question = make_question(stem=stem, options=[option, "乙", "丙", "丁"])
    exam = make_exam(
        fixed=[(question, 10)], enrol=[cadre], title="<i>标题</i>", shuffle_options=False
    )
    attempt = begin(as_cadre, exam)
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}"))
    assert "<script>alert" not in html and "<b onmouseover" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&#34;题干&#34;)&lt;/script&gt; 甲 &amp; 乙" in html
    assert shown_options(fieldset(html, 1))[0] == ("A", option)
    assert "&lt;i&gt;标题&lt;/i&gt;" in html


def test_a_question_row_changed_in_place_shows_its_new_text(as_cadre, exam):
    """The page keeps question texts per process by (id, updated_at): a row that
    changes (the bank never changes a row an attempt shows, but a data fix could)
    is read again, never shown stale."""
    attempt = begin(as_cadre, exam)
    question = attempt.questions[0].question
    assert question.stem in text(as_cadre.get(f"/exams/attempts/{attempt.id}"))
    question.stem, question.options = "改后的题干", ["甲", "乙", "丙", "丁"]
    db.session.commit()
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}"))
    block = fieldset(html, 1)
    assert "改后的题干" in block
    order = attempt.questions[0].option_order
    assert [t for _, t in shown_options(block)] == [["甲", "乙", "丙", "丁"][i] for i in order]


def test_a_finished_attempt_leads_to_its_result(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    response = as_cadre.get(f"/exams/attempts/{attempt.id}")
    assert response.headers["Location"] == f"/exams/attempts/{attempt.id}/result"


# ---------------------------------------------------------------- submitting


def answer_some(client, attempt) -> dict[int, str]:
    """Right answers to the odd positions, a wrong one to position 2; shown letters."""
    given = {}
    for aq in attempt.questions:
        if aq.position % 2:
            given[aq.position] = key_shown(aq)
    wrong = attempt.questions[1]
    given[2] = next(letter for letter in "AB" if letter not in key_shown(wrong))
    for position, letters in given.items():
        post_answer(client, attempt.id, position=position, answer=letters)
    return given


def test_submit_grades_every_row_as_the_grading_rules_say(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    answer_some(as_cadre, attempt)
    response = as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    assert response.headers["Location"] == f"/exams/attempts/{attempt.id}/result"
    stored = rows(attempt.id)
    expected = grading.grade(
        [
            grading.Item(aq.question.type, aq.question.answer, aq.response, aq.score)
            for aq in stored
        ],
        exam.pass_score,
    )
    assert [(aq.correct, aq.awarded) for aq in stored] == [
        (g.correct, g.awarded) for g in expected.items
    ]
    assert {aq.position for aq in stored if aq.correct} == {1, 3, 5, 7, 9}
    done = db.session.get(Attempt, attempt.id)
    assert (done.status, done.score, done.max_score, done.passed) == (
        AttemptStatus.SUBMITTED,
        expected.score,
        Decimal(100),
        expected.score >= 60,
    )
    assert done.finished_at is not None and done.finished_at <= utcnow()


def test_a_fast_submit_keeps_the_years_figures(as_cadre, exam):
    """The summary the statistics read (exams.exam_tally) moves with the submit, as
    it does on the services' path: the figures equal those grouped from the rows."""
    from tests.stats.tally import source_rows, tally_rows
    from yongxi_learn.exams import exam_tally

    assert exam.kind is ExamKind.FORMAL
    exam_tally.refresh_exam(exam.id)  # the fixture enrols without the services
    db.session.commit()
    attempt = begin(as_cadre, exam)
    answer_some(as_cadre, attempt)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).status is AttemptStatus.SUBMITTED
    tally = sorted(tally_rows(exam.id), key=lambda r: (r[0], r[1], r[2].value))
    assert tally == source_rows(exam.id)
    assert sum(row[5] for row in tally) == 1  # sat: the cadre


def test_the_forms_answers_win_and_only_changed_rows_move_their_version(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    given = answer_some(as_cadre, attempt)
    before = {aq.position: (aq.response, aq.version) for aq in rows(attempt.id)}
    form = {"answers_in_form": "1", **{f"q{p}": list(letters) for p, letters in given.items()}}
    del form["q1"]  # cleared on the page
    form["q2"] = key_shown(attempt.questions[1])  # corrected on the page
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data=form)
    after = {aq.position: (aq.response, aq.version, aq.correct) for aq in rows(attempt.id)}
    for position, (response, version) in before.items():
        if position in (1, 2):
            assert after[position][1] == version + 1
        else:
            assert after[position][:2] == (response, version)
    assert after[1][0] == "" and after[1][2] is False
    assert after[2][2] is True
    assert db.session.get(Attempt, attempt.id).score == Decimal(
        sum(aq.awarded for aq in rows(attempt.id))
    )


def test_a_form_with_letters_a_question_lacks_is_refused_and_nothing_changes(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    answer_some(as_cadre, attempt)
    before = [(aq.response, aq.version) for aq in rows(attempt.id)]
    form = {"answers_in_form": "1", "q1": "F"}
    response = as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data=form)
    assert response.headers["Location"] == f"/exams/attempts/{attempt.id}"
    assert "答案格式不正确" in text(as_cadre.get(response.headers["Location"]))
    assert [(aq.response, aq.version) for aq in rows(attempt.id)] == before
    assert db.session.get(Attempt, attempt.id).status is AttemptStatus.IN_PROGRESS


def test_a_submit_in_the_grace_period_finishes_at_the_deadline(as_cadre, exam, monkeypatch):
    attempt = begin(as_cadre, exam)
    clock(monkeypatch, attempt.deadline + attempts.GRACE - timedelta(seconds=1))
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    done = db.session.get(Attempt, attempt.id)
    db.session.refresh(done)
    assert (done.status, done.finished_at) == (AttemptStatus.SUBMITTED, attempt.deadline)


def test_a_practice_submit_without_a_deadline_is_graded(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    close(exam)  # its mistakes are practised once it closed
    response = as_cadre.post("/exams/practice", data={"wrong_only": "1"})
    practice = db.session.get(Attempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert practice.exam.kind is ExamKind.PRACTICE and practice.deadline is None
    first = practice.questions[0]
    post_answer(as_cadre, practice.id, position=1, answer=key_shown(first))
    as_cadre.post(f"/exams/attempts/{practice.id}/submit")
    db.session.refresh(practice)
    assert practice.status is AttemptStatus.SUBMITTED
    assert practice.score == first.score and rows(practice.id)[0].correct is True


def test_grades_of_rows_already_loaded_are_current_after_the_orm_submit(exam, cadre):
    now = utcnow()
    attempt = attempts.start_attempt(exam, cadre, now)
    first = attempt.questions[0]
    attempts.save_answer(attempt, cadre, 1, key_shown(first), now)
    attempts.submit_attempt(attempt, cadre, now)
    assert (first.correct, first.awarded) == (True, first.score)
    assert attempt.questions[1].correct is False and attempt.questions[1].awarded == 0


def test_concurrent_fast_submits_grade_once(app, exam, cadre):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    start = utcnow()
    attempt = attempts.start_attempt(exam, cadre, start)
    attempts.save_answer(attempt, cadre, 1, key_shown(attempt.questions[0]), start)
    db.session.commit()
    attempt_id, user_id, count = attempt.id, cadre.id, 8
    token = login_token(cadre)
    barrier, errors = threading.Barrier(count), []

    def submit(i):
        with app.app_context():
            barrier.wait()
            try:
                assert db.session.get(User, user_id) is not None
                when = start + timedelta(milliseconds=i + 1)
                assert hand_in_fast(app, token, attempt_id, when)
                db.session.commit()
            except Exception as exc:  # collected and asserted on below
                errors.append(exc)

    run_together(submit, [(i,) for i in range(count)])
    assert errors == []
    db.session.expire_all()
    done = db.session.get(Attempt, attempt_id)
    assert done.status is AttemptStatus.SUBMITTED and done.score == Decimal(10)
    times = {start + timedelta(milliseconds=i + 1) for i in range(count)}
    assert done.finished_at in times
    graded = db.session.scalar(
        sa.select(sa.func.count()).where(
            AttemptQuestion.attempt_id == attempt_id, AttemptQuestion.correct.is_not(None)
        )
    )
    assert graded == len(done.questions) == 9


def test_concurrent_submits_of_one_group_leave_the_figures_right(
    app, make_exam, bank, make_user, tree
):
    """Six people of one unit and category hand in at the same moment: each submit
    recomputes their shared exam_tally row, and none may leave it stale."""
    from tests.stats.tally import source_rows, tally_rows
    from yongxi_learn.exams import exam_tally
    from yongxi_learn.org.models import Category

    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    people = [
        make_user(f"同组{i}", tree["village"], category=Category.VILLAGE_CADRE) for i in range(6)
    ]
    exam = make_exam(rules=STANDARD_RULES, enrol=people)
    exam_tally.refresh_exam(exam.id)
    start = utcnow()
    started = [(attempts.start_attempt(exam, p, start).id, login_token(p)) for p in people]
    db.session.commit()
    barrier, errors = threading.Barrier(len(started)), []

    def submit(attempt_id, token):
        with app.app_context():
            barrier.wait()
            try:
                assert hand_in_fast(app, token, attempt_id, utcnow())
                db.session.commit()
            except Exception as exc:  # collected and asserted on below
                errors.append(exc)

    run_together(submit, started)
    assert errors == []
    db.session.expire_all()
    tally = sorted(tally_rows(exam.id), key=lambda r: (r[0], r[1], r[2].value))
    assert tally == source_rows(exam.id)
    assert sum(row[5] for row in tally) == 6  # sat
