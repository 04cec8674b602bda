"""The check after ``make bench``'s reliability step (bench/inapp.py) finds what it
must: a `lost_answers 0` from a checker that cannot see a lost answer would prove
nothing."""

import importlib.util
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.datagen import prepare
from bench.datagen.generate import Size, generate
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import attempts
from yongxi_learn.exams.models import Attempt
from yongxi_learn.extensions import db
from yongxi_learn.org.models import OrgUnit, User

SMALL = Size(towns=1, people=20, questions=30, exams=1, attempts=10, papers=5)
INAPP = Path(__file__).resolve().parents[2] / "bench" / "inapp.py"


@pytest.fixture
def run(app, tmp_path):
    """Three examinees answer every question; the first two submit."""
    data = generate(SMALL, quiet=True)
    district = db.session.get(OrgUnit, data.district_id)
    ids = list(db.session.scalars(sa.select(User.id).order_by(User.id).limit(3)))
    exam = prepare.open_exam(district, "可靠性检查", ids)
    now = utcnow()
    sent = {"answers": {}, "submitted": []}
    for user_id, attempt_id in zip(ids, prepare.start_attempts(exam, ids), strict=True):
        attempt, user = db.session.get(Attempt, attempt_id), db.session.get(User, user_id)
        letters = {p: "AB"[(p + user_id) % 2] for p in range(1, prepare.PAPER_SIZE + 1)}
        for position, letter in letters.items():
            attempts.save_answer(attempt, user, position, letter, now)
        sent["answers"][str(attempt_id)] = {str(p): x for p, x in letters.items()}
        if len(sent["submitted"]) < 2:
            attempts.submit_attempt(attempt, user, now)
            sent["submitted"].append(attempt_id)
    db.session.commit()
    path = tmp_path / "sent.json"

    inapp = _load_inapp()

    def check(changed_sent=None):
        path.write_text(json.dumps(changed_sent or sent))
        return inapp.check(exam.id, path)

    return sent, check


def _load_inapp():
    spec = importlib.util.spec_from_file_location("bench_inapp", INAPP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_consistent_run_has_nothing_to_report(run):
    _, check = run
    assert check() == {
        "lost_answers": 0,
        "double_scores": 0,
        "extra_attempts": 0,
        "unscored": 0,
        "score_mismatch": 0,
    }


def test_an_answer_stored_other_than_last_sent_is_lost(run):
    sent, check = run
    attempt = next(iter(sent["answers"]))
    positions = sent["answers"][attempt]
    positions["3"] = "B" if positions["3"] == "A" else "A"
    assert check(sent)["lost_answers"] == 1


def test_a_submitted_attempt_without_a_score_is_reported(run):
    sent, check = run
    sent["submitted"].append(int(list(sent["answers"])[2]))  # the third never submitted
    assert check(sent)["unscored"] == 1


def test_a_score_that_is_not_the_grade_of_the_stored_answers_is_reported(run):
    sent, check = run
    first = sent["submitted"][0]
    db.session.execute(
        sa.update(Attempt).where(Attempt.id == first).values(score=Attempt.score + 1)
    )
    db.session.commit()
    assert check()["score_mismatch"] == 1
