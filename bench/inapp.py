"""Steps of ``make bench`` that run inside the app (a subprocess each, with
DATABASE_URL and SECRET_KEY in the environment); each prints one JSON line.

    python bench/inapp.py prepare OUT_DIR [N]   open exams, attempts, cookies
    python bench/inapp.py stats                 time the stats layer
    python bench/inapp.py export ROWS FORMAT    time / peak memory of a name-list export
    python bench/inapp.py xlsx-writer-only ROWS  XlsxWriter alone on the same cells
    python bench/inapp.py check EXAM_ID JSON    reliability: compare stored with last sent
"""

import json
import resource
import sys
import time
import tracemalloc
from itertools import islice
from pathlib import Path

import sqlalchemy as sa

from yongxi_learn import create_app
from yongxi_learn.extensions import db

# Attempts in progress per examinee for the submit run (one exam a round): 600 people x 6
# is more submits than 10 s of load reaches at the target (0.1 x ~3,000 req/s), so each
# submit grades an attempt instead of finding it finished.
SUBMIT_ROUNDS = 6


def _district():
    from yongxi_learn.org.models import OrgUnit, UnitKind

    return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.kind == UnitKind.DISTRICT))


def _people(district, count: int) -> list[int]:
    from yongxi_learn.org.models import OrgUnit, User

    return list(
        db.session.scalars(
            sa.select(User.id)
            .join(OrgUnit, OrgUnit.id == User.unit_id)
            .where(OrgUnit.path.startswith(district.path))
            .order_by(User.id)
            .limit(count)
        )
    )


def prepare(app, out_dir: Path, count: int) -> dict:
    from bench.datagen import prepare as p

    district = _district()
    ids = _people(district, count)
    examinees = p.login_cookies(app, ids)
    save_exam = p.open_exam(district, "压测：作答与自动保存", ids)
    started = dict(zip(ids, p.start_attempts(save_exam, ids), strict=True))
    p.note_logins(started, examinees)
    submits = {uid: [] for uid in ids}
    for round_ in range(1, SUBMIT_ROUNDS + 1):
        submit_exam = p.open_exam(district, f"压测：交卷（第{round_}轮）", ids)
        round_of = dict(zip(ids, p.start_attempts(submit_exam, ids), strict=True))
        p.note_logins(round_of, examinees)
        for uid, attempt_id in round_of.items():
            submits[uid].append(attempt_id)
    start_exam = p.open_exam(district, "压测：开始考试", ids)
    reliability_exam = p.open_exam(district, "压测：弱网可靠性", ids)
    db.session.commit()
    for e in examinees:
        e.attempt_id, e.submit_ids = started[e.user_id], submits[e.user_id]
    _write_lua(out_dir / "examinees.lua", examinees)
    people = [e.__dict__ for e in examinees]
    (out_dir / "examinees.json").write_text(json.dumps(people))
    return {
        "start_exam": start_exam.id,
        "reliability_exam": reliability_exam.id,
        "paper_size": p.PAPER_SIZE,
        "pages": _learner_pages(app),
    }


def _write_lua(path: Path, examinees) -> None:
    lines = [
        f'{{c="{e.cookie}", t="{e.csrf}", a={e.attempt_id}, '
        f"s={{{','.join(map(str, e.submit_ids))}}}}},"
        for e in examinees
    ]
    path.write_text("return {\n" + "\n".join(lines) + "\n}\n")


def _learner_pages(app) -> list[str]:
    """Every GET page without arguments a learner may open (not admin, stats, reports)."""
    skip = ("/admin", "/stats", "/reports", "/static", "/logout", "/healthz", "/ping")
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(skip):
            pages.append(rule.rule)
    return sorted(set(pages))


def _best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
        db.session.rollback()
    return min(times)


def stats() -> dict:
    """stats_year_s: every section of the district's year overview (exams, 集中学习,
    学习清单与阅读), as the 统计 page builds them; stats_exam_s: one exam by unit."""
    from yongxi_learn.core.time import utcnow
    from yongxi_learn.exams.models import Exam
    from yongxi_learn.stats import queries
    from yongxi_learn.stats.sections import SECTIONS, Scope

    district = _district()
    now = utcnow()
    exam = db.session.scalar(sa.select(Exam).where(Exam.title.like("%压测第1场%")))
    scope = Scope(exam.year, district, None, now)
    return {
        "stats_year_s": _best(lambda: [section.build(scope) for section in SECTIONS]),
        "stats_year_exams_s": _best(
            lambda: queries.year_overview(exam.year, district, user=None, now=now)
        ),
        "stats_exam_s": _best(lambda: queries.exam_report(exam, district, user=None, now=now)),
    }


def export(rows: int, fmt: str, trace: bool) -> dict:
    """The 应考名单 明细 of a district exam (20,000 people), cut to ``rows``."""
    from yongxi_learn.core.spreadsheets import csv_chunks, write_xlsx
    from yongxi_learn.core.time import utcnow
    from yongxi_learn.exams.models import Exam
    from yongxi_learn.stats import downloads, queries
    from yongxi_learn.stats.sections import Scope

    exam = db.session.scalar(sa.select(Exam).where(Exam.title.like("%压测第1场%")))
    scope = Scope(year=exam.year, unit=_district(), user=None, now=utcnow(), categories=())
    if trace:
        tracemalloc.start()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    summary, detail = downloads.name_list(exam, queries.NameList.ALL, scope)
    with open("/dev/null", "wb") as out:
        if fmt == "xlsx":  # both sheets, as the download (the 汇总 computes the figures)
            sheet = detail.sheet()
            sheet.rows = islice(sheet.rows, rows)
            write_xlsx(out, [summary.sheet(), sheet])
        else:
            for chunk in csv_chunks(list(detail.headers), islice(detail.csv_rows(), rows)):
                out.write(chunk)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mb": peak / 2**20, "rss_growth_mb": (after - before) / 1024}


def xlsx_writer_only(rows: int, in_memory: bool = False, trace: bool = False) -> dict:
    """XlsxWriter alone writing the cells of the same 明细 (its rows built first, not
    timed): only Workbook, write_string / write_number and close, in constant-memory
    mode as the download writes them. What no code of ours can go below.

    ``in_memory``: XlsxWriter's other mode (every cell kept until the file is closed,
    strings shared), the one way left to write faster; ``trace``: its Python heap
    peak, which grows with the rows."""
    import tempfile

    import xlsxwriter

    from yongxi_learn.core.time import utcnow
    from yongxi_learn.exams.models import Exam
    from yongxi_learn.stats import downloads, queries
    from yongxi_learn.stats.sections import Scope

    exam = db.session.scalar(sa.select(Exam).where(Exam.title.like("%压测第1场%")))
    scope = Scope(year=exam.year, unit=_district(), user=None, now=utcnow(), categories=())
    _, detail = downloads.name_list(exam, queries.NameList.ALL, scope)
    cells = list(islice(detail.sheet().rows, rows))
    written = sum(1 for row in cells for value in row if value != "")
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with open("/dev/null", "wb") as out:
        workbook = xlsxwriter.Workbook(
            out, {"constant_memory": not in_memory, "tmpdir": tempfile.gettempdir()}
        )
        sheet = workbook.add_worksheet("明细")
        for number, row in enumerate(cells, start=1):
            for col, value in enumerate(row):
                if value.__class__ is str:
                    if value:
                        sheet.write_string(number, col, value)
                else:
                    sheet.write_number(number, col, float(value))
        workbook.close()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    return {"seconds": seconds, "cells": written, "peak_mb": peak / 2**20}


def check(exam_id: int, sent_path: Path) -> dict:
    """Every stored answer equals the last one sent; each person has one attempt and
    each submitted attempt one score, the grade of its stored answers."""
    from yongxi_learn.exams.models import Attempt

    sent = json.loads(sent_path.read_text())  # answers: {attempt: {position: shown}}
    stored = _stored_answers(exam_id)
    lost = sum(
        stored.get((int(a), int(p)), (None,))[0] != letter
        for a, positions in sent["answers"].items()
        for p, letter in positions.items()
    )
    per_person = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count(Attempt.score),
        )
        .where(Attempt.exam_id == exam_id)
        .group_by(Attempt.user_id)
    ).all()
    scores = dict(
        db.session.execute(
            sa.select(Attempt.id, Attempt.score).where(
                Attempt.id.in_([int(a) for a in sent["submitted"]])
            )
        ).all()
    )
    return {
        "lost_answers": lost,
        "double_scores": sum(1 for _, scored in per_person if scored > 1),
        "extra_attempts": sum(n - 1 for n, _ in per_person if n > 1),
        "unscored": sum(1 for a in sent["submitted"] if scores.get(int(a)) is None),
        "score_mismatch": _score_mismatch(scores, stored),
    }


def _stored_answers(exam_id: int) -> dict:
    """{(attempt, position): (letters as shown, question type, key, points)}"""
    from yongxi_learn.exams.grading import canonical_to_shown
    from yongxi_learn.exams.models import Attempt, AttemptQuestion, Question

    rows = db.session.execute(
        sa.select(
            AttemptQuestion.attempt_id,
            AttemptQuestion.position,
            AttemptQuestion.response,
            AttemptQuestion.option_order,
            Question.type,
            Question.answer,
            AttemptQuestion.score,
        )
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .join(Question, Question.id == AttemptQuestion.question_id)
        .where(Attempt.exam_id == exam_id)
    ).all()
    return {
        (a, p): (canonical_to_shown(r, order), qtype, key, points, r)
        for a, p, r, order, qtype, key, points in rows
    }


def _score_mismatch(scores: dict, stored: dict) -> int:
    """Submitted attempts whose score is not the grade of the answers stored now
    (a save applied after grading would show here). 500 attempts: a loop is fine."""
    from decimal import Decimal

    from yongxi_learn.exams.grading import Item, grade

    items: dict[int, list] = {}
    for (attempt, _), (_, qtype, key, points, response) in sorted(stored.items()):
        items.setdefault(attempt, []).append(Item(qtype, key, response, points))
    return sum(
        1
        for attempt, score in scores.items()
        if score is not None and grade(items[attempt], Decimal(0)).score != score
    )


def main(argv: list[str]) -> None:
    app = create_app()
    with app.app_context():
        command = argv[0]
        if command == "prepare":
            result = prepare(app, Path(argv[1]), int(argv[2]))
        elif command == "stats":
            result = stats()
        elif command == "export":
            result = export(int(argv[1]), argv[2], trace=len(argv) > 3)
        elif command == "xlsx-writer-only":
            result = xlsx_writer_only(int(argv[1]), "in-memory" in argv, "trace" in argv)
        else:
            result = check(int(argv[1]), Path(argv[2]))
    print("BENCHJSON " + json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
