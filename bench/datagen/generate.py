"""``flask --app bench.app bench-data``: build a district's worth of data in minutes."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
import sqlalchemy as sa

from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import exam_tally
from yongxi_learn.extensions import db
from yongxi_learn.study import tally as study_tally
from yongxi_learn.training import tally as training_tally

from . import exams, people, study, training


@dataclass
class Size:
    towns: int = 30
    people: int = 20000
    questions: int = 1000
    exams: int = 10
    attempts: int = 150000
    # Attempts that get their 20 answer rows (the rest keep only their score):
    # 3 million answer rows would take long to insert and add nothing the figures need.
    papers: int = 20000
    sessions_per_town: int = 8
    seed: int = 2026


@dataclass
class Result:
    district_id: int
    exam_ids: list[int] = field(default_factory=list)
    people: int = 0
    attempts: int = 0
    attendance: int = 0
    study_rows: int = 0
    admin_id: int = 0


def _bar(total: int, label: str, quiet: bool):
    if quiet:
        return _Silent()
    return click.progressbar(length=total, label=label)


class _Silent:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        pass


def generate(size: Size, *, year: int | None = None, quiet: bool = False) -> Result:
    """Units, people, a bank, ``size.exams`` past formal exams of this year with
    attempts, training sessions, a study list and readings for everyone; commits as it
    goes (the data is large)."""
    rng = random.Random(size.seed)
    now = utcnow()
    year = year or now.year
    tree = people.build_tree(size.towns)
    with _bar(size.people, "人员", quiet) as bar:
        ids = people.add_people(tree, size.people, rng, bar.update)
    people.grant_admin(ids[0], tree.district)
    result = Result(tree.district.id, people=len(ids), admin_id=ids[0])
    db.session.commit()
    question_ids = exams.add_questions(tree.district, size.questions, rng, now)
    per_exam = size.attempts // max(size.exams, 1)
    papers_left = size.papers
    with _bar(size.attempts, "考试与答卷", quiet) as bar:
        for n in range(size.exams):
            exam = exams.create_exam(
                tree.district,
                n + 1,
                rng.sample(question_ids, exams.PAPER_SIZE),
                year,
                **_window(year, n, now),
            )
            done = exams.add_attempts(exam, per_exam, papers_left, rng, bar.update)
            # The attempts were bulk-inserted, past the services: sum them once, after
            # telling PostgreSQL's planner of them (it takes the new exam for a few rows
            # otherwise, and joins 20,000 people to their scores in a nested loop).
            if db.session.get_bind().dialect.name == "postgresql":
                db.session.execute(sa.text("ANALYZE enrolment, attempt"))
            exam_tally.refresh_exam(exam.id)
            papers_left = max(0, papers_left - done)
            result.exam_ids.append(exam.id)
            result.attempts += done
            db.session.commit()
    with _bar(len(tree.towns), "集中学习", quiet) as bar:
        result.attendance = training.add_sessions(
            tree.towns, size.sessions_per_town, year, rng, bar.update
        )
    training_tally.rebuild([year])  # bulk-inserted sign-ins: sum them once
    db.session.commit()
    result.study_rows = study.add_study(tree.district, year, rng)
    study_tally.rebuild()  # bulk-inserted choices and progress: sum them once
    db.session.commit()
    # A bulk load leaves the planner's statistics stale (autovacuum would catch up
    # later on PostgreSQL; SQLite has none until ANALYZE): measure the plans in use.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return result


def _window(year: int, n: int, now: datetime) -> dict:
    """Exam n's window: a day, well in the past (early in the year)."""
    opens = min(datetime(year, 1, 5, 0, 0) + timedelta(days=7 * n), now - timedelta(days=2))
    return {"opens_at": opens, "closes_at": opens + timedelta(days=1)}
