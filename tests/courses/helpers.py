"""Building courses for the tests (through the real services) and passing a quiz."""

import io
from decimal import Decimal

from tests.courses.media import mp3
from yongxi_learn.core.time import utcnow
from yongxi_learn.courses import services
from yongxi_learn.courses.models import Course, MediaKind, PartKind
from yongxi_learn.exams import attempts
from yongxi_learn.exams.grading import canonical_to_shown
from yongxi_learn.extensions import db
from yongxi_learn.org.services import SYSTEM


def make_course(
    owner, law, *, credit=Decimal(2), quiz_size=0, publish=True, seconds=3, year=2026
) -> Course:
    course = services.create_course(
        owner,
        services.CourseSettings(
            title="行政处罚法专题课程", year=year, credit_hours=credit,
            audience={"units": [owner.id], "categories": [], "people": []},
            quiz_size=quiz_size, quiz_pass_percent=60,
        ),
        actor=SYSTEM,
    )  # fmt: skip
    services.add_part(
        course,
        services.PartInput(kind=PartKind.ARTICLES, law_id=law.id, article_from=1, article_to=2),
        actor=SYSTEM,
    )
    found = services.upload_media(
        owner, io.BytesIO(mp3(seconds)), MediaKind.AUDIO, actor=SYSTEM, max_bytes=10**7
    )
    services.add_part(
        course, services.PartInput(kind=PartKind.MEDIA, media_id=found.id), actor=SYSTEM
    )
    if publish:
        services.publish(course, actor=SYSTEM, now=utcnow())
    db.session.commit()
    return course


def answer_and_submit(attempt_id: int, user, *, right: bool) -> None:
    attempt = attempts.load_attempt(attempt_id, user)
    now = utcnow()
    for aq in attempt.questions:
        key = canonical_to_shown(aq.question.answer, aq.option_order)
        shown = key if right else next(x for x in "AB" if x != key)
        attempts.save_answer(attempt, user, aq.position, shown, now=now)
    attempts.submit_attempt(attempt, user, now)
    db.session.commit()
