"""The grader crashes halfway through a submit: nothing of the grading is kept, the
attempt stays in progress with every saved answer, and submitting again works."""

import re

import pytest
import sqlalchemy as sa

from tests.exams import conftest as exam_fixtures
from yongxi_learn.exams import attempts, grading
from yongxi_learn.exams.models import Attempt, AttemptQuestion, AttemptStatus
from yongxi_learn.extensions import db

make_question, bank, make_exam = (
    exam_fixtures.make_question,
    exam_fixtures.bank,
    exam_fixtures.make_exam,
)
cadre, other, exam = exam_fixtures.cadre, exam_fixtures.other, exam_fixtures.exam


@pytest.fixture
def app_config():
    # As in production: an exception becomes the 500 page (and its rollback).
    return {"PROPAGATE_EXCEPTIONS": False}


class GraderCrashed(RuntimeError):
    pass


def crash_halfway(real):
    def grade(items, pass_score):
        result = real(items, pass_score)
        half = len(result.items) // 2

        def items_then_crash():
            yield from result.items[:half]
            raise GraderCrashed("grader crashed halfway")

        return grading.Result(
            items=items_then_crash(),
            score=result.score,
            max_score=result.max_score,
            passed=result.passed,
        )

    return grade


def saved(attempt_id: int) -> list[tuple]:
    db.session.expire_all()
    return list(
        db.session.execute(
            sa.select(
                AttemptQuestion.position,
                AttemptQuestion.response,
                AttemptQuestion.version,
                AttemptQuestion.correct,
                AttemptQuestion.awarded,
            )
            .where(AttemptQuestion.attempt_id == attempt_id)
            .order_by(AttemptQuestion.position)
        )
    )


def test_crash_mid_submit_rolls_back_and_keeps_the_answers(client, login, cadre, exam, monkeypatch):
    login(cadre)
    url = client.post(f"/exams/{exam.id}/start").headers["Location"]
    attempt_id = int(re.search(r"/attempts/(\d+)$", url).group(1))
    for position in range(1, 10):
        assert client.post(f"{url}/answer", json={"position": position, "answer": "A"}).get_json()[
            "ok"
        ]
    before = saved(attempt_id)
    assert all(row.response and row.correct is None for row in before)

    monkeypatch.setattr(attempts.grading, "grade", crash_halfway(grading.grade))
    crashed = client.post(f"{url}/submit")
    assert crashed.status_code == 500
    assert "服务器出错" in crashed.text and "Traceback" not in crashed.text

    assert saved(attempt_id) == before  # answers intact, no question graded
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.score is None and attempt.finished_at is None

    monkeypatch.undo()
    assert client.post(f"{url}/submit").status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score is not None
    assert all(row.awarded is not None for row in saved(attempt_id))
