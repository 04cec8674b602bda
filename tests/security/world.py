"""A world of two towns for the security sweeps: town A (雍溪镇) holds the people who
try things; town B (宝顶镇) holds one object of every kind, created through the real
services where they exist. ``ids`` maps every URL argument name to an object of B."""

import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from tests.courses.media import mp3
from tests.exams.paper_fixtures import add_attempt, make_exam, make_questions
from tests.laws.law_fixtures import LAW_TEXT, make_law
from yongxi_learn.core.pending_import import PendingImport
from yongxi_learn.core.time import utcnow
from yongxi_learn.courses import services as courses
from yongxi_learn.courses.models import MediaKind, PartKind
from yongxi_learn.exams.bank import services as bank
from yongxi_learn.exams.models import CountedSheet, Enrolment
from yongxi_learn.extensions import db
from yongxi_learn.external import importing as external_importing
from yongxi_learn.external.models import ExternalExam, ExternalResult
from yongxi_learn.feedback import services as feedback
from yongxi_learn.feedback.models import FeedbackKind
from yongxi_learn.laws import audio as law_audio
from yongxi_learn.laws import importing as law_importing
from yongxi_learn.org import importing, tenancy
from yongxi_learn.org.models import Category, Role
from yongxi_learn.org.services import Actor
from yongxi_learn.record import certificates
from yongxi_learn.record.models import CertificateKind
from yongxi_learn.reports import services as reports
from yongxi_learn.study import plans, reading_audio, readings
from yongxi_learn.study.plan_models import ItemKind
from yongxi_learn.study.reading_models import ReadingKind
from yongxi_learn.training import attendance
from yongxi_learn.training import services as training
from yongxi_learn.training.models import KindCode

MARK = "乙镇专有"  # in the names of B's objects: must never show on A's pages


@dataclass
class World:
    ids: dict[str, object] = field(default_factory=dict)
    b_admin: object = None
    b_person: object = None


def build(tree, make_user, mark: str = MARK, *, sibling: bool = False) -> World:
    """Town B's objects; ``mark`` goes into every text (the XSS sweep passes payloads).
    ``sibling``: B is 红岩村 instead, a village of town A beside the callers' 石佛村,
    owning every object itself (a village admin must not cross to the next village)."""
    b_town, b_village = tree["other_town"], tree["other_village"]
    if sibling:
        b_town = b_village = tree["village2"]
    b_village.name = f"{mark}村"
    b_admin = make_user(f"{mark}管理员", b_town, roles=[(Role.ADMIN, b_town)], phone="13911112222")
    b_person = make_user(
        f"{mark}村干部", b_village, category=Category.VILLAGE_CADRE, phone="13933334444"
    )
    b_person.post = mark
    actor = Actor(user=b_admin, address="test")
    world = World(b_admin=b_admin, b_person=b_person)
    ids = world.ids
    ids.update(unit_id=b_village.id, person_id=b_person.id, user_id=b_person.id)
    ids["town_id"] = b_town.id
    ids["close_unit_id"] = b_town.id  # the 年度关账 page of B's town (cycle)
    ids["grant_id"] = b_admin.grants[0].id
    _exam_objects(ids, b_town, b_admin, b_person, actor, mark)
    _training_objects(ids, b_town, b_person, actor, mark)
    _study_objects(ids, b_town, b_person, actor, mark)
    version = reports.draft(2024, b_town, actor=actor, now=utcnow())
    reports.save(version.draft, f"{mark}报告", f"{mark}正文。\n{version.text}", actor=actor)
    ids["draft_id"] = version.draft_id
    _pending_imports(ids, b_admin)
    certificate = certificates.issue(
        b_person, CertificateKind.YEAR, year=2024, actor=actor, now=utcnow()
    )
    ids["certificate_id"] = certificate.id
    _external_objects(ids, b_town, b_admin, b_person, mark)
    item = feedback.send(
        user=b_person,
        kind=FeedbackKind.COMPLAINT,
        text=f"{mark}意见",
        anonymous=False,
        now=utcnow(),
    )
    ids["feedback_id"] = item.id
    ids.update(fmt="csv", kind="enrolled", filename="css/app.css", ticket="x")
    db.session.commit()
    return world


def _exam_objects(ids, b_town, b_admin, b_person, actor, mark) -> None:
    # The bank refuses a category name starting with "=" or holding control characters.
    category = bank.create_category("分类" + re.sub(r"[\x00-\x1f]", "", mark), b_town, actor=actor)
    questions = make_questions(b_town, n=2, law_ref=f"{mark}法", explanation=f"{mark}解析")
    for question in questions:
        question.stem = f"{mark}题干"
        question.options = [f"{mark}甲", "乙", "丙", "丁"]
    exam = make_exam(
        b_town, b_admin, audience={"units": [b_town.id]}, questions=questions, title=f"{mark}考试"
    )
    enrolment = Enrolment(
        exam_id=exam.id, user_id=b_person.id, unit_id=b_person.unit_id, category=b_person.category
    )
    db.session.add(enrolment)
    db.session.flush()
    attempt = add_attempt(exam, b_person, [(q, "A") for q in questions])
    ids.update(
        exam_id=exam.id,
        question_id=questions[0].id,
        category_id=category.id,
        enrolment_id=enrolment.id,
        attempt_id=attempt.id,
    )


def _training_objects(ids, b_town, b_person, actor, mark) -> None:
    training.ensure_default_kinds()
    kinds = {k.code: k for k in training.kinds() if k.code}
    start = utcnow() - timedelta(minutes=10)  # open for sign-in: the QR code is served
    data = training.SessionData(
        kind_id=kinds[KindCode.TOPIC].id,
        topic=f"{mark}学习",
        place=f"{mark}会议室",
        lecturer=f"{mark}律师",
        laws=f"{mark}法",
        notes=f"{mark}备注",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        hours=Decimal(2),
        audience={"units": [b_town.id]},
    )
    session = training.create_session(b_town, data, actor=actor)
    db.session.flush()
    row = attendance.mark(session, b_person, f"{mark}补录", actor=actor, now=utcnow())
    ids.update(session_id=session.id, attendance_id=row.id, kind_id=kinds[KindCode.TOPIC].id)


def _study_objects(ids, b_town, b_person, actor, mark) -> None:
    text = LAW_TEXT.replace("为了规范示例管理", f"为了规范{mark}")
    clean = re.sub(r"[\x00-\x1f]", "", mark)  # the library refuses control characters
    law = make_law(
        b_town, title=f"{clean}示例管理法", short_name=f"{clean}法", text=text, actor=actor
    )
    lst = plans.create_list(
        b_town,
        plans.ListSettings(
            name=f"{mark}清单",
            year=2024,
            choose_until=utcnow() + timedelta(days=30),
            audience={"units": [b_town.id], "categories": [], "people": []},
        ),
        actor=actor,
    )
    item = plans.add_item(lst, plans.ItemSpec(kind=ItemKind.REQUIRED, law_id=law.id), actor=actor)
    db.session.flush()
    plans.save_note(item, b_person, f"{mark}心得")
    reading = readings.create_reading(
        b_town,
        readings.ReadingSettings(
            title=f"{mark}阅读",
            kind=ReadingKind.TEXT,
            due_on=None,
            min_seconds=60,
            body=f'<p>{mark}案例<a href="{mark}">链接</a></p>',
            audience={"units": [b_town.id], "categories": [], "people": []},
        ),
        actor=actor,
    )
    db.session.flush()
    ids.update(law_id=law.id, list_id=lst.id, item_id=item.id, reading_id=reading.id)
    _audio_notes(ids, law, reading, actor)
    _course_objects(ids, b_town, actor, mark, law.id)


def _audio_notes(ids, law, reading, actor) -> None:
    """B's 语音讲解 on its law's first article (heard in B only) and on its reading."""
    limits = {"max_bytes": 10**7, "max_seconds": 300, "now": utcnow()}
    article = law.articles[0]
    note = law_audio.add_note(article, io.BytesIO(mp3(1)), actor=actor, **limits)
    spoken = reading_audio.add_note(reading, io.BytesIO(mp3(1)), actor=actor, **limits)
    ids.update(article_id=article.id, note_id=note.id, audio_id=spoken.id)


def _course_objects(ids, b_town, actor, mark, law_id) -> None:
    course = courses.create_course(
        b_town,
        courses.CourseSettings(
            title=f"{mark}课程", year=2024, credit_hours="2", description=f"{mark}简介",
            audience={"units": [b_town.id], "categories": [], "people": []},
        ),
        actor=actor,
    )  # fmt: skip
    part = courses.add_part(
        course, courses.PartInput(kind=PartKind.ARTICLES, law_id=law_id), actor=actor
    )
    found = courses.upload_media(
        b_town, io.BytesIO(mp3(1)), MediaKind.AUDIO, actor=actor, max_bytes=10**7
    )
    courses.add_part(
        course,
        courses.PartInput(kind=PartKind.MEDIA, media_id=found.id, title=f"{mark}音频"),
        actor=actor,
    )
    courses.publish(course, actor=actor, now=utcnow())
    ids.update(course_id=course.id, part_id=part.id, media_id=found.id)


def _external_objects(ids, b_town, b_admin, b_person, mark) -> None:
    exam = ExternalExam(
        owner_unit=b_town, title=f"{mark}外部考试", year=2024, organiser=f"{mark}平台"
    )
    exam.results.append(ExternalResult(user_id=b_person.id, score=Decimal(90), passed=True))
    db.session.add(exam)
    db.session.flush()
    ids["external_id"] = exam.id
    # B's exam counts B's sheet (计入本考试): /admin/exams/<exam_id>/external/<external_id>/…
    db.session.add(CountedSheet(exam_id=ids["exam_id"], external_exam_id=exam.id))
    db.session.flush()


def _pending_imports(ids, b_admin) -> None:
    tokens = {}
    for kind in (
        importing.KIND,
        "questions",
        law_importing.KIND,
        tenancy.KIND,
        external_importing.KIND,
    ):
        pending = PendingImport(user_id=b_admin.id, kind=kind, filename="x", content=b"x")
        db.session.add(pending)
        db.session.flush()
        tokens[kind] = pending.token
    ids["token"] = tokens


# Not the app's data: who is logged in, the audit of the refusals themselves, and the
# rate limiter's counters (in the app's database on PostgreSQL, a side file on SQLite).
NOT_DATA = ("login_session", "audit_log", "rate_counter")


def fingerprint(skip=NOT_DATA) -> dict[str, tuple[int, int]]:
    """Row count and a hash of every row of every table (ordered by primary key)."""
    out = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        out[table.name] = (len(rows), hash(tuple(repr(tuple(r)) for r in rows)))
    return out
