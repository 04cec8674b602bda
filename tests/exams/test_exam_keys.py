"""The keys of an exam still open reach nobody enrolled in it: not through practice
rounds, the 错题本, practice results, nor the per-question statistics (admin item
analysis, the statistics page and its downloads); after it closes they show again."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from tests.exams.paper_fixtures import add_attempt
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import (
    Attempt,
    AttemptStatus,
    Exam,
    ExamKind,
    QuestionStatus,
    QuestionType,
    ReviewPolicy,
)
from yongxi_learn.exams.papers import keys
from yongxi_learn.extensions import db

SECRET_LAW = "中华人民共和国行政复议法"


def practice_stems(client, rounds: int, **form) -> set[str]:
    """Start ``rounds`` practice papers and return every stem they asked."""
    stems: set[str] = set()
    for _ in range(rounds):
        response = client.post("/exams/practice", data=form)
        match = re.search(r"/attempts/(\d+)$", response.headers.get("Location", ""))
        if match is None:
            break  # 没有可以练习的题目
        attempt = db.session.get(Attempt, int(match.group(1)))
        stems |= {aq.question.stem for aq in attempt.questions}
        client.post(f"/exams/attempts/{attempt.id}/submit")
    return stems


def close(exam: Exam) -> None:
    db.session.get(Exam, exam.id).closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


@pytest.fixture
def as_cadre(client, login, cadre):
    login(cadre)
    return client


@pytest.fixture
def judges(make_question):
    """Ten 判断题 of one law, the paper the attacks aimed at."""
    return [
        make_question(QuestionType.JUDGE, law_ref=SECRET_LAW, answer="AB"[i % 2], stem=f"密{i}题")
        for i in range(10)
    ]


# ---------------------------------------------------------------- practice and 错题本


def test_practice_during_an_open_fixed_paper_never_asks_its_questions(
    as_cadre, make_exam, bank, judges, cadre
):
    exam = make_exam(fixed=[(q, 10) for q in judges], enrol=[cadre])
    as_cadre.post(f"/exams/{exam.id}/start")
    asked = practice_stems(as_cadre, 15)
    assert asked and not asked & {q.stem for q in judges}
    # By their own law there is nothing left to practise.
    response = as_cadre.post("/exams/practice", data={"law_ref": SECRET_LAW})
    assert response.status_code == 302 and "/attempts/" not in response.headers["Location"]

    close(exam)
    assert practice_stems(as_cadre, 1, law_ref=SECRET_LAW) <= {q.stem for q in judges}
    assert practice_stems(as_cadre, 1, law_ref=SECRET_LAW)


def test_practice_leaves_out_the_pool_a_draw_rule_can_draw_from(
    as_cadre, make_exam, bank, judges, cadre
):
    make_exam(rules=[(QuestionType.JUDGE, 5, 20, {"law_ref": SECRET_LAW})], enrol=[cadre])
    asked = practice_stems(as_cadre, 15)
    assert asked and not asked & {q.stem for q in judges}
    # The rest of the bank, outside the rule's pool, is still there to practise.
    assert asked & {q.stem for q in bank[QuestionType.JUDGE]}


def test_an_exempted_person_practises_the_whole_bank(
    as_cadre, make_exam, bank, judges, cadre, other
):
    make_exam(fixed=[(q, 10) for q in judges], enrol=[other], exempt=[cadre])
    assert practice_stems(as_cadre, 1, law_ref=SECRET_LAW)


def test_wrong_book_keeps_an_open_papers_answers_from_its_examinees(
    as_cadre, make_exam, judges, cadre
):
    past = make_exam(fixed=[(q, 10) for q in judges], enrol=[cadre], title="上月测验")
    add_attempt(past, cadre, [(q, "B" if q.answer == "A" else "A") for q in judges])
    close(past)
    assert "我的错题（10）" in as_cadre.get("/exams/wrong").text

    # The same questions now on a paper the cadre sits: the 错题本 is no key to it.
    exam = make_exam(fixed=[(q, 10) for q in judges[:4]], enrol=[cadre])
    html = as_cadre.get("/exams/wrong").text
    assert "我的错题（6）" in html
    assert not any(q.stem in html for q in judges[:4])
    response = as_cadre.post("/exams/practice", data={"wrong_only": "1"})
    practice = db.session.get(Attempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert {aq.question.stem for aq in practice.questions} == {q.stem for q in judges[4:]}

    close(exam)
    assert "我的错题（10）" in as_cadre.get("/exams/wrong").text


def test_an_open_makeup_keeps_the_formal_papers_keys_hidden(as_cadre, make_exam, judges, cadre):
    formal = make_exam(
        fixed=[(q, 10) for q in judges], enrol=[cadre], review=ReviewPolicy.AFTER_CLOSE
    )
    add_attempt(formal, cadre, [(q, "") for q in judges])
    close(formal)
    makeup = make_exam(fixed=[(q, 10) for q in judges], enrol=[cadre], kind=ExamKind.MAKEUP)
    makeup.parent_exam_id = formal.id
    db.session.commit()
    assert "我的错题（0）" in as_cadre.get("/exams/wrong").text
    assert not practice_stems(as_cadre, 1, law_ref=SECRET_LAW)

    close(makeup)
    assert "我的错题（10）" in as_cadre.get("/exams/wrong").text


def test_a_practice_result_drawn_before_the_exam_hides_its_keys(as_cadre, make_exam, judges, cadre):
    response = as_cadre.post("/exams/practice", data={"law_ref": SECRET_LAW})
    practice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    exam = make_exam(fixed=[(q, 10) for q in judges], enrol=[cadre])
    as_cadre.post(f"/exams/attempts/{practice_id}/submit")
    html = as_cadre.get(f"/exams/attempts/{practice_id}/result").text
    assert "正确答案" not in html and "后可查看答案与解析" in html

    close(exam)
    html = as_cadre.get(f"/exams/attempts/{practice_id}/result").text
    assert "正确答案" in html


def test_the_formal_result_page_hides_its_keys_while_the_persons_makeup_is_open(
    as_cadre, make_exam, judges, cadre
):
    formal = make_exam(
        fixed=[(q, 10) for q in judges], enrol=[cadre], review=ReviewPolicy.AFTER_CLOSE
    )
    attempt = add_attempt(formal, cadre, [(q, "") for q in judges])
    close(formal)
    result = f"/exams/attempts/{attempt.id}/result"
    assert "正确答案" in as_cadre.get(result).text  # closed, no 补考: the keys show
    makeup = make_exam(fixed=[(q, 10) for q in judges], enrol=[cadre], kind=ExamKind.MAKEUP)
    makeup.parent_exam_id = formal.id
    db.session.commit()
    html = as_cadre.get(result).text
    assert "正确答案" not in html and "后可查看答案与解析" in html

    close(makeup)
    assert "正确答案" in as_cadre.get(result).text


# ---------------------------------------------------------------- per-question statistics


@pytest.fixture
def sitting_admin(make_exam, judges, cadre, other, unit_admin):
    """A village admin enrolled in the open paper, his own attempt open, while two
    others have handed in."""
    exam = make_exam(fixed=[(q, 10) for q in judges], enrol=[cadre, other, unit_admin])
    for person in (cadre, other):
        add_attempt(exam, person, [(q, q.answer) for q in judges])
    add_attempt(exam, unit_admin, [(q, "") for q in judges], status=AttemptStatus.IN_PROGRESS)
    return exam


def stats_files(client, exam, unit) -> list[str]:
    base = f"/stats/exams/{exam.id}"
    csv = client.get(f"{base}/export.csv?table=3&unit={unit.id}").text
    xlsx = openpyxl.load_workbook(
        io.BytesIO(client.get(f"{base}/export.xlsx?unit={unit.id}").data), read_only=True
    )
    cells = [
        str(c) for ws in xlsx.worksheets for row in ws.iter_rows(values_only=True) for c in row
    ]
    xlsx.close()
    page = client.get(f"{base}?unit={unit.id}").text
    return [client.get(f"/admin/exams/{exam.id}/items").text, page, csv, "\n".join(cells)]


def test_an_enrolled_admin_sees_no_item_statistics_of_the_open_exam(
    client, login, sitting_admin, judges, unit_admin, tree
):
    login(unit_admin)
    items, page, csv, xlsx = stats_files(client, sitting_admin, tree["village"])
    for body in (items, page, csv, xlsx):
        assert not any(q.stem in body for q in judges)
    assert "考试结束前不向您显示" in items and "考试结束前不向您显示" in page

    close(sitting_admin)
    for body in stats_files(client, sitting_admin, tree["village"]):
        assert all(q.stem in body for q in judges)


def test_an_admin_not_enrolled_sees_the_items_while_it_is_open(
    client, login, sitting_admin, judges, admin
):
    login(admin)
    html = client.get(f"/admin/exams/{sitting_admin.id}/items").text
    assert all(q.stem in html for q in judges)
    assert "考试结束前不向您显示" not in html


def test_items_page_counts_an_overdue_attempt_as_finalized_without_writing(
    client, login, make_exam, judges, cadre, admin
):
    exam = make_exam(fixed=[(q, 10) for q in judges], enrol=[cadre])
    attempt = add_attempt(
        exam, cadre, [(q, q.answer) for q in judges], status=AttemptStatus.IN_PROGRESS
    )
    attempt.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(admin)
    html = client.get(f"/admin/exams/{exam.id}/items").text
    assert all(q.stem in html for q in judges)
    assert html.count("100%") >= len(judges)  # every saved answer graded right
    status = db.session.scalar(sa.select(Attempt.status).where(Attempt.id == attempt.id))
    assert status is AttemptStatus.IN_PROGRESS


def test_hidden_from_lasts_until_the_window_closes(make_exam, judges, cadre):
    make_exam(fixed=[(judges[0], 10)], enrol=[cadre])
    assert keys.hidden_from(cadre, utcnow()) == {keys.root_of(judges[0])}
    assert keys.hidden_from(cadre, utcnow() + timedelta(days=8)) == frozenset()


def test_a_question_retired_mid_exam_stays_hidden(make_exam, judges, cadre):
    make_exam(rules=[(QuestionType.JUDGE, 5, 20, {"law_ref": SECRET_LAW})], enrol=[cadre])
    judges[0].status = QuestionStatus.RETIRED  # an attempt may have drawn it already
    db.session.commit()
    assert keys.hidden_from(cadre, utcnow()) == {q.id for q in judges}
