"""Taking an exam through the pages: 我的考试, the attempt page, autosave JSON, the
no-JavaScript submit, the result, 错题本; someone else's attempt is a 404."""

import re
from datetime import timedelta
from decimal import Decimal

import itsdangerous.timed
import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.exams.conftest import STANDARD_RULES
from tests.exams.taking import (
    begin,
    clock,
    close,
    key_shown,
    post_answer,
    saved_answer,
    snapshot,
    text,
)
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import attempts
from yongxi_learn.exams.grading import canonical_to_shown
from yongxi_learn.exams.models import (
    Attempt,
    AttemptStatus,
    Exam,
    ExamKind,
    ReviewPolicy,
)
from yongxi_learn.extensions import db


def remaining_on_page(html: str) -> int:
    return int(re.search(r'data-remaining="(\d+)"', html).group(1))


@pytest.fixture
def as_cadre(client, login, cadre):
    login(cadre)
    return client


# ---------------------------------------------------------------- 我的考试 and the home page


def test_my_exams_lists_the_exam_with_a_start_button(as_cadre, exam):
    html = text(as_cadre.get("/exams/"))
    assert "2024年度法治理论知识考试" in html
    assert "可参加" in html and "开始考试" in html
    assert "限时60分钟" in html


def test_home_page_shows_the_exam_to_take(as_cadre, exam):
    html = text(as_cadre.get("/"))
    assert "2024年度法治理论知识考试" in html and "开始考试" in html


def test_home_page_shows_a_recent_result(as_cadre, exam, cadre):
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    html = text(as_cadre.get("/"))
    assert "最近成绩" in html and "未通过" in html and "查看成绩" in html


def test_a_person_not_enrolled_gets_404_on_start(client, login, make_user, tree, exam):
    login(make_user("王五", tree["office"]))
    assert client.post(f"/exams/{exam.id}/start").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0


def test_pages_need_a_login(client, exam):
    assert client.get("/exams/").status_code == 302


# ---------------------------------------------------------------- the attempt page


def test_attempt_page_shows_every_question_as_one_form(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}"))
    assert f'action="/exams/attempts/{attempt.id}/submit"' in html
    for aq in attempt.questions:
        assert aq.question.stem in html
        assert f'name="q{aq.position}"' in html
    assert html.count('type="checkbox"') == 2 * 4  # the two 多选 questions
    assert '已答 <strong id="exam-answered">0</strong>/9' in html
    assert re.search(r"/static/js/exam\.[0-9a-f]+\.js", html)  # its content-hashed name


def test_attempt_page_never_carries_the_key_explanation_or_score(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}"))
    for aq in attempt.questions:
        assert aq.question.explanation not in html
    for word in ("解析", "正确答案", '"answer"', "data-answer=", "correct", "得分"):
        assert word not in html


def test_reloading_keeps_the_attempt_and_the_time_runs_down(as_cadre, exam, monkeypatch):
    now = utcnow()
    clock(monkeypatch, now)
    attempt = begin(as_cadre, exam)
    first = remaining_on_page(text(as_cadre.get(f"/exams/attempts/{attempt.id}")))
    clock(monkeypatch, now + timedelta(minutes=10))
    again = begin(as_cadre, exam)
    later = remaining_on_page(text(as_cadre.get(f"/exams/attempts/{attempt.id}")))
    assert again.id == attempt.id
    assert (first, later) == (3600, 3000)


def test_saved_answers_are_checked_again_after_a_reload(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/answer", json={"position": 5, "answer": "BD"})
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}"))
    checked = re.findall(r'name="q5" value="([A-F])" checked', html)
    assert checked == ["B", "D"]
    # The page carries each answer's version, which 交卷 and later saves name.
    assert '<input type="hidden" name="v5" value="1">' in html
    assert 'data-versions="1"' in html


# ---------------------------------------------------------------- autosave


def test_an_answer_is_saved_and_the_reply_carries_only_save_state(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    response = post_answer(as_cadre, attempt.id, position=1, answer="C", base=0, age=0)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {
        "ok",
        "applied",
        "position",
        "answer",
        "version",
        "total",
        "remaining_seconds",
    }
    assert body["ok"] and body["applied"]
    assert (body["position"], body["answer"], body["version"], body["total"]) == (1, "C", 1, 1)
    assert 3590 <= body["remaining_seconds"] <= 3600
    aq = db.session.get(Attempt, attempt.id).questions[0]
    db.session.refresh(aq)
    assert (canonical_to_shown(aq.response, aq.option_order), aq.version) == ("C", 1)


def test_an_older_answer_sent_late_loses_and_the_reply_shows_the_one_kept(
    as_cadre, exam, monkeypatch
):
    """A phone answered offline a minute ago; meanwhile the PC answered: the PC's
    answer, given later, stays, and the phone is told which answer is kept."""
    attempt = begin(as_cadre, exam)
    now = utcnow()
    clock(monkeypatch, now - timedelta(seconds=30))
    post_answer(as_cadre, attempt.id, position=1, answer="C", base=0, age=0)  # the PC
    clock(monkeypatch, now)
    late = post_answer(as_cadre, attempt.id, position=1, answer="A", base=0, age=60_000)
    body = late.get_json()
    assert late.status_code == 200 and body["applied"] is False
    assert (body["answer"], body["version"], body["total"]) == ("C", 1, 1)
    assert saved_answer(attempt.id) == ("C", 1)


def test_a_later_answer_from_a_page_that_is_behind_wins(as_cadre, exam, monkeypatch):
    """Two tabs: tab A saved C; tab B, which never heard of it, answers B afterwards.
    The later answer is kept (the old per-browser numbers dropped it while the page
    said 已保存), and its reply's total tells tab B it is behind on nothing else."""
    attempt = begin(as_cadre, exam)
    now = utcnow()
    clock(monkeypatch, now - timedelta(seconds=5))
    post_answer(as_cadre, attempt.id, position=1, answer="C", base=0, age=0)
    post_answer(as_cadre, attempt.id, position=2, answer="A", base=0, age=0)
    clock(monkeypatch, now)
    later = post_answer(as_cadre, attempt.id, position=1, answer="B", base=0, age=0).get_json()
    assert later["applied"] is True
    assert (later["answer"], later["version"]) == ("B", 2)
    # Tab B knew of versions 0 + 0; the attempt's now sum 2 + 1: it fetches the answers.
    assert later["total"] == 3
    assert saved_answer(attempt.id) == ("B", 2)


def test_the_same_save_sent_twice_keeps_one_answer(as_cadre, exam, monkeypatch):
    attempt = begin(as_cadre, exam)
    now = utcnow()
    clock(monkeypatch, now)
    first = post_answer(as_cadre, attempt.id, position=1, answer="C", base=0, age=2_000)
    clock(monkeypatch, now + timedelta(seconds=3))  # the reply was lost; the page retries
    again = post_answer(as_cadre, attempt.id, position=1, answer="C", base=0, age=5_000)
    assert first.get_json()["applied"] is True
    assert (again.get_json()["answer"], saved_answer(attempt.id)[0]) == ("C", "C")


PAGE, OTHER_PAGE = "k3y0fth1sp4ge000", "0th3rp4ge0000000"


def test_an_earlier_save_of_a_page_delivered_last_never_replaces_its_later_one(
    as_cadre, exam, monkeypatch
):
    """On weak 4G a save held up in the network (a lost packet resent a second later)
    reaches the server after the page's next save of the same question: by its age
    alone it would count as given later. The page's own count orders them."""
    attempt = begin(as_cadre, exam)
    now = utcnow()
    clock(monkeypatch, now)
    later = dict(position=1, base=0, age=0, page=PAGE)
    assert post_answer(as_cadre, attempt.id, answer="C", n=2, **later).get_json()["applied"]
    clock(monkeypatch, now + timedelta(seconds=2))
    held_up = post_answer(as_cadre, attempt.id, answer="A", n=1, **later).get_json()
    assert held_up["applied"] is False and held_up["answer"] == "C"
    assert saved_answer(attempt.id) == ("C", 1)
    # The page's retry of its later save changes nothing either.
    again = post_answer(as_cadre, attempt.id, answer="C", n=2, **later).get_json()
    assert (again["answer"], saved_answer(attempt.id)[0]) == ("C", "C")


def test_the_full_path_keeps_a_pages_later_save_too(app, as_cadre, login, cadre, exam):
    attempt = begin(as_cadre, exam)
    post_answer(as_cadre, attempt.id, position=1, answer="C", base=0, age=0, page=PAGE, n=2)
    # A second login of the person: not yet noted on the attempt, so the full path
    # (the ORM, attempts.save_answer) answers the held-up save.
    other = app.test_client()
    login(cadre, client=other)
    held_up = post_answer(other, attempt.id, position=1, answer="A", base=0, age=0, page=PAGE, n=1)
    assert held_up.get_json()["applied"] is False
    assert saved_answer(attempt.id) == ("C", 1)


def test_of_two_pages_the_answer_given_last_wins_whatever_their_counts(as_cadre, exam, monkeypatch):
    attempt = begin(as_cadre, exam)
    now = utcnow()
    clock(monkeypatch, now - timedelta(seconds=5))
    post_answer(as_cadre, attempt.id, position=1, answer="C", base=0, age=0, page=PAGE, n=9)
    clock(monkeypatch, now)
    other = post_answer(
        as_cadre, attempt.id, position=1, answer="B", base=0, age=0, page=OTHER_PAGE, n=1
    )
    assert other.get_json()["applied"] is True
    assert saved_answer(attempt.id) == ("B", 2)


@pytest.mark.parametrize(
    "order",
    [{"page": "K!"}, {"page": PAGE}, {"n": 3}, {"page": PAGE, "n": -1}, {"page": 7, "n": 1}],
)
def test_a_page_order_no_page_sends_is_a_400(as_cadre, exam, order):
    attempt = begin(as_cadre, exam)
    response = post_answer(as_cadre, attempt.id, position=1, answer="C", base=0, **order)
    assert response.status_code == 400
    assert response.get_json()["error"] == "请求无效"
    assert saved_answer(attempt.id) == ("", 0)


def test_the_answers_of_an_attempt_are_read_back_for_a_page_that_is_behind(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    post_answer(as_cadre, attempt.id, position=3, answer="B", base=0, age=0)
    response = as_cadre.get(
        f"/exams/attempts/{attempt.id}/answers", headers={"Accept": "application/json"}
    )
    body = response.get_json()
    assert response.status_code == 200 and body["total"] == 1
    assert body["answers"]["3"] == {"answer": "B", "version": 1}
    assert body["answers"]["1"] == {"answer": "", "version": 0}


def test_an_invalid_answer_is_a_400_with_a_chinese_message(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    response = post_answer(as_cadre, attempt.id, position=1, answer="AB")
    assert response.status_code == 400
    assert response.get_json() == {"ok": False, "error": "答案格式不正确"}


def test_an_answer_after_the_deadline_is_a_409_and_changes_nothing(as_cadre, exam, monkeypatch):
    attempt = begin(as_cadre, exam)
    post_answer(as_cadre, attempt.id, position=1, answer="C")
    before = snapshot(attempt.id)[2]
    clock(monkeypatch, attempt.deadline + attempts.GRACE + timedelta(seconds=1))
    response = post_answer(as_cadre, attempt.id, position=1, answer="A")
    assert response.status_code == 409
    assert response.get_json()["reason"] == "expired"
    assert "答案未保存" in response.get_json()["error"]
    status, _, rows = snapshot(attempt.id)
    assert rows == before
    assert status is AttemptStatus.EXPIRED


# ---------------------------------------------------------------- submitting


def test_the_form_submit_saves_every_answer_then_shows_the_score(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    form = {"answers_in_form": "1"}
    for aq in attempt.questions:
        form[f"q{aq.position}"] = list(key_shown(aq))
    response = as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data=form)
    assert response.headers["Location"] == f"/exams/attempts/{attempt.id}/result"
    html = text(as_cadre.get(response.headers["Location"]))
    assert '<strong id="result-score">100</strong> / 100' in html
    assert "已通过" in html


def test_the_form_submit_counts_blank_questions_as_unanswered(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    post_answer(as_cadre, attempt.id, position=1, answer=key_shown(attempt.questions[0]))
    # The page was reloaded with the saved answer checked; the person then cleared it.
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data={"answers_in_form": "1"})
    assert snapshot(attempt.id)[1] == Decimal(0)


def test_submitting_twice_shows_the_same_single_result(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    post_answer(as_cadre, attempt.id, position=1, answer=key_shown(attempt.questions[0]))
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    first = snapshot(attempt.id)
    finished_at = db.session.get(Attempt, attempt.id).finished_at
    again = as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data={"answers_in_form": "1"})
    assert again.headers["Location"].endswith("/result")
    assert snapshot(attempt.id) == first
    assert db.session.get(Attempt, attempt.id).finished_at == finished_at
    assert first[1] == Decimal(10)


def test_a_late_submit_is_refused_and_the_saved_answers_are_graded(as_cadre, exam, monkeypatch):
    attempt = begin(as_cadre, exam)
    key = key_shown(attempt.questions[0])
    post_answer(as_cadre, attempt.id, position=1, answer=key)
    clock(monkeypatch, attempt.deadline + timedelta(minutes=5))
    form = {
        "answers_in_form": "1",
        **{f"q{aq.position}": key_shown(aq) for aq in attempt.questions},
    }
    response = as_cadre.post(f"/exams/attempts/{attempt.id}/submit", data=form)
    assert response.headers["Location"].endswith("/result")
    status, score, _ = snapshot(attempt.id)
    assert (status, score) == (AttemptStatus.EXPIRED, Decimal(10))
    assert db.session.get(Attempt, attempt.id).finished_at == attempt.deadline
    html = text(as_cadre.get(response.headers["Location"]))
    assert "已超过截止时间" in html and "自动交卷" in html


def test_opening_an_overdue_attempt_shows_it_graded_at_its_deadline(as_cadre, exam, monkeypatch):
    attempt = begin(as_cadre, exam)
    post_answer(as_cadre, attempt.id, position=1, answer=key_shown(attempt.questions[0]))
    clock(monkeypatch, attempt.deadline + timedelta(hours=1))
    response = as_cadre.get(f"/exams/attempts/{attempt.id}")
    assert response.headers["Location"].endswith("/result")
    html = text(as_cadre.get(response.headers["Location"]))
    assert 'id="result-score">10</strong>' in html and "按保存的答案自动交卷" in html
    assert snapshot(attempt.id)[0] is AttemptStatus.IN_PROGRESS  # a read writes nothing


def test_the_sweeper_finalizes_an_overdue_attempt_as_its_result_page_showed_it(
    as_cadre, exam, monkeypatch
):
    attempt = begin(as_cadre, exam)
    post_answer(as_cadre, attempt.id, position=1, answer=key_shown(attempt.questions[0]))
    late = attempt.deadline + timedelta(hours=1)
    clock(monkeypatch, late)
    shown = text(as_cadre.get(f"/exams/attempts/{attempt.id}/result"))
    assert attempts.finalize_overdue(late) == 1
    db.session.commit()
    attempt = db.session.get(Attempt, attempt.id)
    assert (attempt.status, attempt.finished_at, attempt.score) == (
        AttemptStatus.EXPIRED,
        attempt.deadline,
        Decimal(10),
    )
    assert text(as_cadre.get(f"/exams/attempts/{attempt.id}/result")) == shown


def test_result_of_an_unfinished_attempt_leads_back_to_it(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    response = as_cadre.get(f"/exams/attempts/{attempt.id}/result")
    assert response.headers["Location"] == f"/exams/attempts/{attempt.id}"


# ---------------------------------------------------------------- the result page


def test_immediate_review_shows_key_and_explanation(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}/result"))
    first = attempt.questions[0]
    assert first.question.explanation in html
    assert f"正确答案：{key_shown(first)}" in html
    assert "依据：中华人民共和国宪法 第一条" in html


def test_the_review_marks_the_learners_own_wrong_choice_in_words(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    single = next(aq for aq in attempt.questions if aq.question.type.value == "single")
    key = key_shown(single)
    wrong = next(letter for letter in "ABCD" if letter != key)
    as_cadre.post(
        f"/exams/attempts/{attempt.id}/submit",
        data={"answers_in_form": "1", f"q{single.position}": wrong},
    )
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}/result"))
    item = re.search(
        rf'<span class="qno">{single.position}\.</span>.*?</section>', html, re.S
    ).group(0)
    chosen = re.search(rf'<li class=" chosen-wrong">{wrong}\. [^<]*<span[^>]*>([^<]*)<', item)
    assert chosen.group(1) == "✗ 您的选择（错误）"
    right = re.search(rf'<li class="key">{key}\. [^<]*<span[^>]*>([^<]*)<', item)
    assert right.group(1) == "✓ 正确答案（您未选）"
    assert f"您的答案：{wrong} · 正确答案：{key}" in item


def test_after_close_review_shows_the_score_but_not_the_key(as_cadre, make_exam, bank, cadre):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], review=ReviewPolicy.AFTER_CLOSE)
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}/result"))
    assert 'id="result-score">0</strong>' in html
    assert "考试结束" in html and "后可查看答案与解析" in html
    assert "正确答案" not in html
    assert all(aq.question.explanation not in html for aq in attempt.questions)


# ---------------------------------------------------------------- someone else's attempt


@pytest.fixture
def others_attempt(client, login, exam, other):
    login(other)
    attempt = begin(client, exam)
    post_answer(client, attempt.id, position=1, answer="A")
    client.post("/logout")
    return attempt


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "", {}),
        ("post", "/answer", {"json": {"position": 1, "answer": "B"}}),
        ("post", "/submit", {"data": {"answers_in_form": "1", "q1": "B"}}),
        ("get", "/result", {}),
    ],
)
def test_someone_elses_attempt_is_a_404_and_nothing_changes(
    client, login, cadre, others_attempt, method, path, kwargs
):
    login(cadre)
    before = snapshot(others_attempt.id)
    url = f"/exams/attempts/{others_attempt.id}{path}"
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 404
    assert snapshot(others_attempt.id) == before


def test_someone_elses_finished_attempt_result_is_a_404(
    client, login, cadre, others_attempt, other
):
    attempts.submit_attempt(others_attempt, other, utcnow())
    db.session.commit()
    login(cadre)
    assert client.get(f"/exams/attempts/{others_attempt.id}/result").status_code == 404


# ---------------------------------------------------------------- 错题本 and practice


def test_wrong_book_lists_mistakes_with_explanations(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")  # all unanswered: all wrong
    close(exam)
    html = text(as_cadre.get("/exams/wrong"))
    assert "我的错题（9）" in html
    assert attempt.questions[0].question.explanation in html


def test_wrong_book_leaves_out_papers_whose_answers_are_not_yet_shown(
    as_cadre, make_exam, bank, cadre
):
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], review=ReviewPolicy.AFTER_CLOSE)
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    html = text(as_cadre.get("/exams/wrong"))
    assert "我的错题（0）" in html
    assert attempt.questions[0].question.stem not in html


def test_practising_mistakes_right_removes_them_from_the_wrong_book(as_cadre, exam):
    attempt = begin(as_cadre, exam)
    as_cadre.post(f"/exams/attempts/{attempt.id}/submit")
    close(exam)
    response = as_cadre.post("/exams/practice", data={"wrong_only": "1"})
    practice = db.session.get(Attempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert practice.exam.kind is ExamKind.PRACTICE
    assert practice.deadline is None and len(practice.questions) == 9
    form = {
        "answers_in_form": "1",
        **{f"q{aq.position}": key_shown(aq) for aq in practice.questions},
    }
    as_cadre.post(f"/exams/attempts/{practice.id}/submit", data=form)
    assert "我的错题（0）" in text(as_cadre.get("/exams/wrong"))


def test_practice_by_law_is_untimed_and_not_listed_among_exams(as_cadre, bank):
    response = as_cadre.post("/exams/practice", data={"law_ref": "中华人民共和国宪法"})
    assert "/exams/attempts/" in response.headers["Location"]
    practice_exam = db.session.scalar(sa.select(Exam).where(Exam.kind == ExamKind.PRACTICE))
    assert practice_exam.time_limit_minutes is None
    assert len(practice_exam.fixed_questions) == 10
    assert "专项练习" not in text(as_cadre.get("/exams/"))


def test_practice_without_mistakes_says_there_is_nothing(as_cadre, exam):
    response = as_cadre.post("/exams/practice", data={"wrong_only": "1"}, follow_redirects=True)
    assert "没有可以练习的题目" in text(response)


# ---------------------------------------------------------------- the cron command


def test_finalize_overdue_command_reports_and_is_idempotent(runner, make_exam, bank, cadre):
    now = utcnow()
    exam = make_exam(rules=STANDARD_RULES, enrol=[cadre], opens_at=now - timedelta(days=1))
    attempt = attempts.start_attempt(exam, cadre, now - timedelta(hours=2))
    aq = attempt.questions[0]
    attempts.save_answer(attempt, cadre, 1, key_shown(aq), now=now - timedelta(hours=2))
    db.session.commit()
    first = runner.invoke(args=["exams", "finalize-overdue"])
    assert first.exit_code == 0 and "已自动交卷 1 份" in first.output
    second = runner.invoke(args=["exams", "finalize-overdue"])
    assert "已自动交卷 0 份" in second.output
    db.session.expire_all()
    assert (attempt.status, attempt.finished_at, attempt.score) == (
        AttemptStatus.EXPIRED,
        attempt.deadline,
        Decimal(10),
    )


# ---------------------------------------------------------------- CSRF during a long exam


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def page(self, client, cadre, exam):
        from tests.conftest import PASSWORD

        token = csrf_token(text(client.get("/login")))
        client.post(
            "/login", data={"phone": cadre.phone, "password": PASSWORD, "csrf_token": token}
        )
        token = csrf_token(text(client.get(f"/exams/{exam.id}/start")))  # 考试须知
        client.post(f"/exams/{exam.id}/start", data={"csrf_token": token})
        attempt = db.session.scalar(sa.select(Attempt))
        return attempt, csrf_token(text(client.get(f"/exams/attempts/{attempt.id}")))

    def test_an_answer_without_the_csrf_header_is_refused_in_words_the_page_shows(
        self, client, page
    ):
        attempt, _ = page
        response = client.post(
            f"/exams/attempts/{attempt.id}/answer",
            json={"position": 1, "answer": "A"},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 400
        assert response.get_json()["reason"] == "csrf"  # the page says 登录已失效
        assert snapshot(attempt.id)[2][0] == ("", 0)

    def test_a_csrf_token_older_than_an_hour_still_saves_and_submits(
        self, app, client, page, monkeypatch
    ):
        attempt, token = page
        assert app.config["WTF_CSRF_TIME_LIMIT"] is None
        two_hours_later = int(itsdangerous.timed.time.time()) + 7200
        monkeypatch.setattr(
            itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: two_hours_later
        )
        response = client.post(
            f"/exams/attempts/{attempt.id}/answer",
            json={"position": 1, "answer": "A"},
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 200
        submit = client.post(f"/exams/attempts/{attempt.id}/submit", data={"csrf_token": token})
        assert submit.headers["Location"].endswith("/result")
        assert snapshot(attempt.id)[0] is AttemptStatus.SUBMITTED


def test_my_exams_counts_an_overdue_attempt_as_finalized_without_writing(
    as_cadre, exam, monkeypatch
):
    attempt = begin(as_cadre, exam)
    for aq in attempt.questions:
        post_answer(as_cadre, attempt.id, position=aq.position, answer=key_shown(aq))
    clock(monkeypatch, attempt.deadline + timedelta(minutes=5))
    html = text(as_cadre.get("/exams/"))
    assert "已通过" in html and "最高分 100" in html
    assert snapshot(attempt.id)[0] is AttemptStatus.IN_PROGRESS
