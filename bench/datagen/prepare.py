"""What the HTTP benchmark needs beforehand: open exams, attempts in progress,
logged-in sessions with their cookies and CSRF tokens (built the way Flask and
Flask-WTF build them, so no login form and no rate limit is on the measured path)."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from yongxi_learn.auth.models import LoginSession
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import attempts
from yongxi_learn.exams.models import Exam, ExamKind, Question, ReviewPolicy
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org.models import OrgUnit, User
from yongxi_learn.org.services import SYSTEM

from .exams import PAPER_SIZE, PASS_SCORE, QUESTION_SCORE

# What Flask-Login's session protection stores at login ("_id"): the client's address
# and User-Agent, hashed. For wrk on loopback (it sends no User-Agent); without it
# every request would find a "new" client, mark the session non-fresh and re-sign
# the cookie, which a real logged-in phone does once at most.
LOOPBACK_CLIENT_ID = hashlib.sha512(b"b'127.0.0.1'|None").hexdigest()


@dataclass
class Examinee:
    user_id: int
    cookie: str  # "name=value"
    csrf: str
    login_id: int = 0
    attempt_id: int = 0  # in progress, for autosave and the attempt page
    # In progress, to be submitted: one per round, so that every submit of a bench run
    # grades an attempt (a second submit of a finished one is a cheaper request).
    submit_ids: list[int] = field(default_factory=list)


def open_exam(district: OrgUnit, title: str, user_ids: list[int]) -> Exam:
    """A formal exam open now for ``user_ids``, with a fixed paper of the bank."""
    now = utcnow()
    questions = list(
        db.session.scalars(
            sa.select(Question.id)
            .where(Question.owner_unit_id == district.id)
            .order_by(Question.id)
            .limit(PAPER_SIZE)
        )
    )
    settings = papers.Settings(
        title=title,
        kind=ExamKind.FORMAL,
        year=now.year,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        time_limit_minutes=600,
        pass_score=PASS_SCORE,
        review_policy=ReviewPolicy.AFTER_CLOSE,
        audience={"people": user_ids},
    )
    exam = papers.create_exam(district, settings, actor=SYSTEM)
    papers.set_fixed_questions(exam, [(q, QUESTION_SCORE) for q in questions], actor=SYSTEM)
    papers.publish(exam, actor=SYSTEM, now=now - timedelta(hours=2))
    return exam


def start_attempts(exam: Exam, user_ids: list[int]) -> list[int]:
    """Start an attempt for each person through the real service."""
    now = utcnow()
    users = db.session.scalars(sa.select(User).where(User.id.in_(user_ids)).order_by(User.id))
    return [attempts.start_attempt(exam, user, now).id for user in users]


def note_logins(attempt_of: dict[int, int], examinees: list[Examinee]) -> None:
    """Each person's attempt (``attempt_of``: user id -> attempt id) opened by their
    login, as 开始答题 notes it (exams.attempts.record_login), so that their saves take
    the fast path from the first one, as a real examinee's do."""
    now = utcnow()
    for e in examinees:
        if e.user_id in attempt_of:
            attempts.record_login(attempt_of[e.user_id], e.login_id, now)


def login_cookies(app: Flask, user_ids: list[int]) -> list[Examinee]:
    """A live LoginSession per person and the signed cookie that carries it."""
    rows = [LoginSession(user_id=uid, address="127.0.0.1", user_agent="bench") for uid in user_ids]
    db.session.add_all(rows)
    db.session.flush()
    signer = app.session_interface.get_signing_serializer(app)
    csrf_signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    name = app.config["SESSION_COOKIE_NAME"]
    examinees = []
    for row in rows:
        raw = hashlib.sha1(secrets.token_bytes(64)).hexdigest()  # noqa: S324 (as Flask-WTF)
        value = signer.dumps(
            {
                "_user_id": row.token,
                "_fresh": True,
                "_id": LOOPBACK_CLIENT_ID,
                "csrf_token": raw,
                "_permanent": True,
            }
        )
        examinees.append(
            Examinee(row.user_id, f"{name}={value}", csrf_signer.dumps(raw), login_id=row.id)
        )
    return examinees
