"""Last year's 全市国家工作人员学法考试 results for the demo: the town's leading cadres
and officials, as an admin imports the sheet the municipal platform hands out (scores
made up; every twelfth person failed). Loaded once."""

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from ..core.time import to_local
from ..extensions import db
from ..org.models import Category, OrgUnit, User
from .models import ExternalExam, ExternalResult

ORGANISER = "重庆市国家工作人员学法考试"
PASS_MARK = Decimal(60)


def seed(
    town: OrgUnit | None, *, track, now: datetime, keep_open: Collection[int] = ()
) -> list[str]:
    if town is None:
        return []
    year = to_local(now).year - 1
    title = f"{year}年度全市国家工作人员学法考试"
    exists = db.session.scalar(
        sa.select(ExternalExam.id).where(
            ExternalExam.owner_unit_id == town.id, ExternalExam.year == year
        )
    )
    if exists is not None:
        return []
    people = db.session.scalars(
        sa.select(User)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(
            OrgUnit.path.startswith(town.path, autoescape=True),
            User.active.is_(True),
            User.category.in_([Category.LEADER, Category.OFFICIAL]),
        )
        .order_by(User.id)
    ).all()
    exam = ExternalExam(
        owner_unit=town,
        title=title,
        year=year,
        organiser=ORGANISER,
        pass_mark=PASS_MARK,
        filename=f"{title}成绩.xlsx",
    )
    with track(people, "载入外部考试成绩") as bar:
        for i, person in enumerate(bar):
            score = Decimal(48 + i % 9) if i % 12 == 11 else Decimal(72 + (i * 7) % 27)
            exam.results.append(
                ExternalResult(
                    user_id=person.id,
                    score=score,
                    passed=score >= PASS_MARK,
                    sat_on=date(year, 6, 15),
                    row_number=i + 2,
                    credit_hours=Decimal(2) if score >= PASS_MARK else Decimal(0),
                )
            )
    db.session.add(exam)
    db.session.flush()
    passed = sum(1 for r in exam.results if r.passed)
    return [f"已导入{title}成绩{len(exam.results)}人，通过{passed}人（来源：导入）。"]
