"""The figures a report template may print, from stats.queries only, each as the report
writes it ("8次", "200余人次", "100%") with the list of people behind it.

A figure that does not exist (no exam that year, no 中心组 session) is None, so the
template leaves its sentence out.
"""

from datetime import datetime

from flask import url_for

from ..org.models import OrgUnit, UnitKind, User
from ..stats import queries
from ..stats.common import Rate
from ..training.figures import GROUPS
from ..training.models import KindCode
from . import phrasing
from .render import Figure

VILLAGE_CADRES = [c.value for c in GROUPS["village"][1]]


def context(year: int, unit: OrgUnit, *, user: User | None, now: datetime) -> dict:
    """Everything the template sees: plain values and Figures, nothing else."""
    words = phrasing.place(unit.name, unit.kind)
    values = {"year": year, "unit": unit.name}
    values.update(place=words.word, place_short=words.short, place_cadres=words.cadres)
    values.update(_training(year, unit))
    values["study"] = _study(year, unit)
    exam = _main_exam(year, unit, user=user, now=now)
    values["exam"] = _exam(exam, year, unit) if exam else None
    values["weak_laws"] = _weak_laws(exam, year, unit, user=user, now=now) if exam else []
    return values


def _count(key: str, label: str, n: int, unit_word: str, url: str) -> Figure | None:
    return Figure(key, label, f"{phrasing.approx(n)}{unit_word}", url) if n else None


def _rate(key: str, label: str, rate: Rate, url: str) -> Figure:
    return Figure(key, label, phrasing.percent(rate), url)


# ---------------------------------------------------------------- training


def _training(year: int, unit: OrgUnit) -> dict:
    figures = queries.training_figures(year, unit)

    def sessions(code: KindCode, label: str) -> Figure | None:
        kind_id = next((k.kind_id for k in figures.by_kind if k.code == code), None)
        url = url_for("training_admin.index", year=year, unit=unit.id, kind=kind_id)
        return _count(f"training.{code.value}", label, figures.sessions_of(code), "次", url)

    coverage = {}
    for key, (label, categories, kinds) in GROUPS.items():
        rate = queries.training_coverage(
            year, unit, [c.value for c in categories], [k.value for k in kinds]
        )
        url = url_for("training_admin.people", year=year, unit=unit.id, group=key)
        coverage[key] = (
            Figure(
                f"training.coverage.{key}",
                f"{label}覆盖率（未参训名单）",
                phrasing.coverage(rate),
                url,
            ),
            rate,
        )
    villages = queries.units_reached(year, unit, UnitKind.VILLAGE, VILLAGE_CADRES)
    people_url = url_for("training_admin.people", year=year, unit=unit.id)
    both = coverage["officials"][1].complete and coverage["village"][1].complete
    return {
        "centre_group": sessions(KindCode.CENTRE_GROUP, "中心组专题学法场次"),
        "topic": sessions(KindCode.TOPIC, "法治专题学习场次"),
        "lecture_hall": sessions(KindCode.LECTURE_HALL, "法治讲堂场次"),
        "expert": sessions(KindCode.EXPERT, "专家授课场次"),
        "training": figures.sessions > 0,
        "official_coverage": coverage["officials"][0],
        "village_coverage": coverage["village"][0],
        "coverage_all": (
            Figure("training.coverage.all", "机关干部及两委干部覆盖率", "全覆盖", people_url)
            if both
            else None
        ),
        "villages": villages.denominator,
        "person_times": _count(
            "training.person_times",
            "参训人次（参训名单）",
            figures.person_times,
            "人次",
            people_url,
        ),
    }


# ---------------------------------------------------------------- study


def _study(year: int, unit: OrgUnit) -> dict | None:
    leader_study = getattr(queries, "leader_study", None)
    if leader_study is None:
        return None
    figures = leader_study(year, unit)
    if not figures.people:
        return None
    url = url_for("study_admin.index", year=year)
    return {
        "people": figures.people,
        "chosen": _rate("study.chosen", "领导干部“2+1”选学率", figures.chosen, url),
        "completed": _rate("study.completed", "领导干部学习完成率", figures.completed, url),
    }


# ---------------------------------------------------------------- exams


def _main_exam(year: int, unit: OrgUnit, *, user: User | None, now: datetime):
    """The year's formal exam with the most people enrolled in the unit's subtree."""
    overview = queries.year_overview(year, unit, user=user, now=now)
    reports = [r for r in overview.reports if r.total.enrolled]
    return max(reports, key=lambda r: r.total.enrolled) if reports else None


def _names_url(report, kind: str, year: int, unit: OrgUnit) -> str:
    return url_for("stats.names", exam_id=report.exam.id, kind=kind, year=year, unit=unit.id)


def _exam(report, year: int, unit: OrgUnit) -> dict:
    total = report.total
    both = total.participation.complete and total.pass_rate.complete
    return {
        "title": report.exam.title,
        "both": (
            _rate(
                "exam.both",
                "参考率及通过率（应考名单）",
                total.participation,
                _names_url(report, "enrolled", year, unit),
            )
            if both
            else None
        ),
        "participation": _rate(
            "exam.participation",
            "参考率=参考人数/应考人数（未参考名单）",
            total.participation,
            _names_url(report, "absent", year, unit),
        ),
        "pass_rate": _rate(
            "exam.pass_rate",
            "通过率=通过人数/参考人数（未通过名单）",
            total.pass_rate,
            _names_url(report, "failed", year, unit),
        ),
    }


def _weak_laws(report, year: int, unit: OrgUnit, *, user, now) -> list[dict]:
    url = url_for("stats.exam_page", exam_id=report.exam.id, year=year, unit=unit.id)
    return [
        {
            "law": weak.law,
            "rate": _rate(
                f"exam.weak.{weak.law}", f"{weak.law}相关试题正确率（试题分析）", weak.correct, url
            ),
        }
        for weak in queries.weak_laws(report.exam, unit, user=user, now=now)
    ]
