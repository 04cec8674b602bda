"""The figures a report template may print, from stats.queries only, each as the report
writes it ("8次", "200余人次", "100%") with the list of people behind it.

The report says only what the records show:
- a figure that does not exist (no exam that year, no 以案释法 session) is None, so the
  template leaves its sentence out;
- a rate that falls short (0%, or under its threshold) is not an achievement: it is
  listed under ``short`` (coverage, study, exam) for 存在的问题. The thresholds are the
  district's for the year (``stats.thresholds``: 参考率, 通过率, and 100% for the 2 + 1
  choice when every leading cadre must make it); a rate without one, and every rate
  of a year without thresholds, is held to ``REPORT_RATE_THRESHOLD`` percent;
- a district's draft names, under 存在的问题, each town that falls short of a
  threshold, one sentence per threshold, towns in the order of their names
  (``towns_short``, from the same board as the 达标情况 page);
- each rate comes with its definition (``defined``), printed where it is first given;
- an exam's audience is named from its enrolment (``phrasing.audience``).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app, url_for

from ..core.formatting import Rate
from ..org.models import Category, OrgUnit, UnitKind, User
from ..stats import credits, queries
from ..stats import thresholds as district
from ..stats.training_section import GROUPS
from . import phrasing
from .render import Figure

VILLAGE_CADRES = [c.value for c in GROUPS["village"][1]]
# What each rate is, said where the text first gives it.
DEFINED = {
    "覆盖率": "覆盖率=参训人数/年内在岗人数，机关干部含领导干部",
    "参考率": "参考率=参考人数/应考人数",
    "通过率": "通过率=通过人数/参考人数",
    "“2+1”选学率": "“2+1”选学率=已选定“2+1”的人数/领导干部人数",
    "学习完成率": "学习完成率=学完必学及所选法规的人数/领导干部人数",
    "正确率": "正确率=答对次数/作答次数",
    "学时达标率": "学时达标率=年度学时达到本类人员目标的人数/设有学时目标的人员数",
    "村（社区）集中学习覆盖率": (
        "村（社区）集中学习覆盖率=有“两委”干部参加集中学习的村（社区）数/村（社区）数"
    ),
}


@dataclass(frozen=True)
class Limits:
    """The percent each rate is held to: the year's thresholds where the district set
    one for it, else ``REPORT_RATE_THRESHOLD``."""

    default: Decimal
    row: district.YearThreshold | None = None

    def of(self, key: str) -> Decimal:
        row = self.row
        if row is not None:
            if key == "chosen" and row.leaders_chosen:
                return Decimal(100)
            value = {"participation": row.participation, "pass_rate": row.pass_rate}.get(key)
            if value is not None:
                return Decimal(value)
        return self.default


@dataclass(frozen=True)
class Current:
    """What the template sees, and every figure the records give now, printed or not
    (``exam.both`` when the rates are not both 100% ...): a saved draft is checked
    against these."""

    context: dict
    every: list[Figure]


def context(year: int, unit: OrgUnit, *, user: User | None, now: datetime) -> dict:
    """Everything the template sees: plain values and Figures, nothing else."""
    return current(year, unit, user=user, now=now).context


def current(year: int, unit: OrgUnit, *, user: User | None, now: datetime) -> Current:
    words = phrasing.place(unit.name, unit.kind)
    threshold = Decimal(current_app.config["REPORT_RATE_THRESHOLD"])
    row = district.thresholds_for(year, unit)
    limits = Limits(threshold, row if row is not None and not row.empty else None)
    unprinted: list[Figure] = []
    values = {"year": year, "unit": unit.name, "threshold": f"{threshold}%"}
    values.update(
        place=words.word,
        place_short=words.short,
        place_cadres=words.cadres,
        place_leaders=words.leaders,
        place_total=words.total,
    )
    values.update(_training(year, unit, threshold, words.word, unprinted))
    values["study"] = _study(year, unit, limits)
    report = main_exam(year, unit, user=user, now=now)
    values["exam"] = None
    values["weak_laws"], values["weak_defined"] = [], ""
    if report is not None:
        values["exam"] = _exam(report, year, unit, limits, words.word, user, unprinted)
        values["weak_laws"] = _weak_laws(report, year, unit, user=user, now=now)
        values["weak_defined"] = DEFINED["正确率"] + ("，含补考" if report.makeups else "")
    values["external"] = _external(year, unit, limits)
    values["external_short"] = [item for item in values["external"] if item["short"]]
    values["credits"] = _credits(year, unit, limits)
    given = _defined_names(values["exam"], values["study"])
    values["towns_short"] = _towns_short(
        year, unit, limits, given, user=user, now=now, out=unprinted
    )
    return Current(values, [*_walk(values), *unprinted])


def _walk(value) -> Iterator[Figure]:
    if isinstance(value, Figure):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _count(key: str, label: str, n: int, unit_word: str, url: str) -> Figure | None:
    return Figure(key, label, f"{phrasing.approx(n)}{unit_word}", url) if n else None


def _rate(key: str, label: str, rate: Rate, url: str) -> Figure:
    return Figure(key, label, phrasing.percent(rate), url)


def _group(items: list[dict], defined: str) -> dict | None:
    """Rates printed together: "参考率95%，通过率92%" and, after them, what they are."""
    return {"items": items, "defined": defined} if items else None


def _split(rates: list[tuple[Rate, dict, Decimal]]):
    """Rates with a figure, each with the percent it is held to, into (achieved, short)."""
    present = [(rate, item, limit) for rate, item, limit in rates if rate.denominator]
    achieved = [item for rate, item, limit in present if not phrasing.falls_short(rate, limit)]
    short = [item for rate, item, limit in present if phrasing.falls_short(rate, limit)]
    return achieved, short


# ---------------------------------------------------------------- training


def _training(year: int, unit: OrgUnit, threshold: Decimal, place: str, unprinted) -> dict:
    figures = queries.training_figures(year, unit)

    def sessions(code: queries.KindCode, label: str) -> Figure | None:
        kind_id = next((k.kind_id for k in figures.by_kind if k.code == code), None)
        url = url_for("training_admin.index", year=year, unit=unit.id, kind=kind_id)
        return _count(f"training.{code.value}", label, figures.sessions_of(code), "次", url)

    villages = queries.units_reached(year, unit, UnitKind.VILLAGE, VILLAGE_CADRES)
    who = {
        "officials": f"全{place}机关干部",
        "village": f"{villages.denominator}个村（社区）“两委”干部",
    }
    rates, shown, short = {}, {}, []
    # A year without a session recorded says nothing of coverage, either way.
    for key, (label, categories, kinds) in GROUPS.items() if figures.sessions else ():
        rate = queries.training_coverage(
            year, unit, [c.value for c in categories], [k.value for k in kinds]
        )
        if not rate.denominator:  # nobody in the group: no figure at all
            continue
        figure = Figure(
            f"training.coverage.{key}",
            f"{label}覆盖率（未参训名单）",
            phrasing.coverage(rate),
            url_for("stats.training_people", year=year, unit=unit.id, group=key),
        )
        rates[key] = rate
        if phrasing.falls_short(rate, threshold):
            short.append({"who": who[key], "rate": figure})
        else:
            shown[key] = figure
    people_url = url_for("stats.training_people", year=year, unit=unit.id)
    everyone = Figure("training.coverage.all", "机关干部及两委干部覆盖率", "全覆盖", people_url)
    both = len(rates) == 2 and all(r.complete for r in rates.values())
    if len(rates) == 2 and not both:  # what a saved "全覆盖" is checked against
        now = "，".join(f"{who[k]}{phrasing.coverage(r)}" for k, r in rates.items())
        unprinted.append(Figure(everyone.key, everyone.label, now, people_url))
    rated = [k for k in shown if not rates[k].complete]
    return {
        "centre_group": sessions(queries.KindCode.CENTRE_GROUP, "中心组专题学法场次"),
        "topic": sessions(queries.KindCode.TOPIC, "法治专题学习场次"),
        "lecture_hall": sessions(queries.KindCode.LECTURE_HALL, "法治讲堂场次"),
        "expert": sessions(queries.KindCode.EXPERT, "专家授课场次"),
        "case": sessions(queries.KindCode.CASE, "以案释法场次"),
        "training": figures.sessions > 0,
        "official_coverage": shown.get("officials"),
        "village_coverage": shown.get("village"),
        "coverage_all": everyone if both else None,
        # Said after the first coverage rate given as a percentage, wherever it is.
        "coverage_defined": DEFINED["覆盖率"] if rated else "",
        "short_coverage": _group(short, "" if rated else DEFINED["覆盖率"]),
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


def _study(year: int, unit: OrgUnit, limits: Limits) -> dict | None:
    figures = queries.leader_study(year, unit)
    if not figures.people:
        return None
    url = url_for("study_admin.index", year=year)
    chosen = _rate("study.chosen", "领导干部“2+1”选学率", figures.chosen, url)
    completed = _rate("study.completed", "领导干部学习完成率", figures.completed, url)
    achieved, short = _split(
        [
            (figures.chosen, {"name": "“2+1”选学率", "rate": chosen}, limits.of("chosen")),
            (figures.completed, {"name": "学习完成率", "rate": completed}, limits.default),
        ]
    )
    ok = {item["name"] for item in achieved}
    return {
        "people": figures.people,
        "achieved": _group(achieved, _defined(achieved)),
        "short": _group(short, _defined(short)),
        # One by one, as achievements only (None when short).
        "chosen": chosen if "“2+1”选学率" in ok else None,
        "completed": completed if "学习完成率" in ok else None,
    }


def _defined(items: list[dict], *extra: str) -> str:
    return "，".join([*(DEFINED[i["name"]] for i in items), *extra])


# ---------------------------------------------------------------- exams


def main_exam(year: int, unit: OrgUnit, *, user: User | None, now: datetime):
    """The year's formal exam with the most people enrolled in the unit's subtree."""
    overview = queries.year_overview(year, unit, user=user, now=now)
    reports = [r for r in overview.reports if r.total.enrolled]
    return max(reports, key=lambda r: r.total.enrolled) if reports else None


def _names_url(report, kind: str, year: int, unit: OrgUnit) -> str:
    return url_for("stats.names", exam_id=report.exam.id, kind=kind, year=year, unit=unit.id)


def _exam(report, year: int, unit: OrgUnit, limits: Limits, place: str, user, unprinted) -> dict:
    total = report.total
    participation = _rate(
        "exam.participation",
        f"{DEFINED['参考率']}（未参考名单）",
        total.participation,
        _names_url(report, "absent", year, unit),
    )
    pass_rate = _rate(
        "exam.pass_rate",
        f"{DEFINED['通过率']}（未通过名单）",
        total.pass_rate,
        _names_url(report, "failed", year, unit),
    )
    achieved, short = _split(
        [
            (
                total.participation,
                {"name": "参考率", "rate": participation},
                limits.of("participation"),
            ),
            (total.pass_rate, {"name": "通过率", "rate": pass_rate}, limits.of("pass_rate")),
        ]
    )
    enrolled_url = _names_url(report, "enrolled", year, unit)
    both = Figure("exam.both", "参考率及通过率（应考名单）", "100%", enrolled_url)
    complete = total.participation.complete and total.pass_rate.complete
    if not complete:  # what a saved "均达100%" is checked against
        now = f"参考率{total.participation}，通过率{total.pass_rate}"
        unprinted.append(Figure(both.key, both.label, now, enrolled_url))
    ok = {item["name"] for item in achieved}
    return {
        "title": report.exam.title,
        "audience": Figure(
            "exam.audience",
            "考试对象（应考名单）",
            _audience(report, unit, place, user),
            enrolled_url,
        ),
        "both": both if complete else None,
        "achieved": _group(achieved, _exam_defined(achieved, report)),
        "short": _group(short, _exam_defined(short, report)),
        # One by one, as achievements only (None when missing or short).
        "participation": participation if "参考率" in ok else None,
        "pass_rate": pass_rate if "通过率" in ok else None,
        "makeups": bool(report.makeups),
    }


def _external(year: int, unit: OrgUnit, limits: Limits) -> list[dict]:
    """Each imported external exam with people of the unit's subtree: how many sat it
    and, as an achievement only, its 通过率 (通过人数/参考人数; there is no 应考名单, so
    no 参考率). A 通过率 under its threshold is not an achievement: it is in
    ``external_short``, for 存在的问题."""
    items = []
    for figures in queries.year_external(year, unit).exams:
        exam = figures.exam

        def names(kind: queries.ExternalList, exam=exam) -> str:
            return url_for(
                "stats.external_names", external_id=exam.id, kind=kind.value, unit=unit.id
            )

        rate = _rate(
            f"external.{exam.id}.pass_rate",
            f"{exam.title}通过率（未通过名单，{queries.EXTERNAL_SOURCE}）",
            figures.pass_rate,
            names(queries.ExternalList.FAILED),
        )
        short = phrasing.falls_short(figures.pass_rate, limits.of("pass_rate"))
        items.append(
            {
                "title": exam.title,
                "organiser": exam.organiser,
                "people": Figure(
                    f"external.{exam.id}.people",
                    f"{exam.title}参考人数（参考名单，{queries.EXTERNAL_SOURCE}）",
                    f"{phrasing.approx(figures.sat)}名",
                    names(queries.ExternalList.SAT),
                ),
                # An achievement, or (short of its threshold) a weak point for 三.
                "pass_rate": None if short else rate,
                "short": rate if short else None,
                "defined": f"{DEFINED['通过率']}，{queries.EXTERNAL_SOURCE}",
            }
        )
    return items


def _credits(year: int, unit: OrgUnit, limits: Limits) -> dict | None:
    """The 学时达标率 against the district's targets for the year: an achievement, or
    (short of the report's threshold) in ``short``, for 存在的问题. None without a
    target or without anyone it applies to."""
    found = credits.attainment(year, unit, user=None)
    if not found.targets or not found.total.denominator:
        return None
    figure = _rate(
        "credits.rate",
        "学时达标率（未达标名单）",
        found.total,
        url_for("stats.credit_names", year=year, unit=unit.id, met="0"),
    )
    short = phrasing.falls_short(found.total, limits.of("credits"))
    targets = "、".join(f"{c.label}{credits.hours_text(h)}学时" for c, h in found.targets.items())
    return {
        "targets": targets,
        "rate": None if short else figure,
        "short": figure if short else None,
        "defined": DEFINED["学时达标率"],
    }


def _exam_defined(items: list[dict], report) -> str:
    """ "参考率=参考人数/应考人数，通过率=通过人数/参考人数，均含补考"."""
    if not report.makeups:
        basis = "未组织补考"
    elif len(items) > 1:
        basis = "均含补考"
    else:
        basis = "含补考"
    return _defined(items, basis)


def _audience(report, unit: OrgUnit, place: str, user) -> str:
    """Who the exam was for, from its enrolment; 全{place} only for the categories its
    audience took from a unit holding the report's whole unit."""
    groups = [
        phrasing.Enrolled(g.unit.name, g.unit.kind, g.category, g.enrolled)
        for g in queries.exam_audience(report.exam, unit, user=user)
    ]
    defined = report.exam.audience or {}
    whole = frozenset()
    if set(defined.get("units", [])) & set(unit.path_ids):
        whole = frozenset(Category(c) for c in defined.get("categories") or Category)
    return phrasing.audience(groups, place=place, whole=whole)


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


# ---------------------------------------------------------------- the towns


# How a town's shortfall is written: "宝顶镇" + what + "为82.5%，低于全区90%的要求";
# the rate's name in DEFINED.
TOWN_NAMES = {
    "participation": "参考率",
    "pass_rate": "通过率",
    "villages": "村（社区）集中学习覆盖率",
    "leaders": "“2+1”选学率",
}
TOWN_WORDS = {
    "participation": "{exam}参考率",
    "pass_rate": "{exam}通过率",
    "villages": "村（社区）集中学习覆盖率",
    "leaders": "领导干部“2+1”选学率",
}
TOWN_LISTS = {
    "participation": "未参考名单",
    "pass_rate": "未通过名单",
    "villages": "未覆盖的村（社区）",
    "leaders": "未选学的领导干部",
}


def _defined_names(exam: dict | None, study: dict | None) -> set[str]:
    """The rates the district's own sentences say what they are of (the default
    template prints every group it is given)."""
    groups = [part.get(key) for part in (exam, study) if part for key in ("achieved", "short")]
    return {item["name"] for group in groups if group for item in group["items"]}


def _towns_short(year: int, unit: OrgUnit, limits: Limits, given: set, *, user, now, out) -> list:
    """A district's towns that fall short of the year's thresholds: one item per town
    and threshold (per exam for the exam rates), towns in name order (the 达标情况
    board's rows), each rate defined where it is first given (not when ``given``
    already). A threshold met now is added to ``out`` (the unprinted figures), so
    that a saved sentence about it is found stale."""
    if unit.kind is not UnitKind.DISTRICT or limits.row is None:
        return []
    board = district.board(year, unit, user=user, now=now)
    items, defined = [], set(given)
    for row in board.rows:
        if row.own:
            continue
        for req, cell in zip(board.requirements, row.cells, strict=True):
            if cell.rate is None or cell.met is None:
                continue
            figure = _town_figure(req, row.unit, cell.rate, year)
            if cell.met:
                out.append(figure)
                continue
            name = TOWN_NAMES[req.key]
            first = name not in defined
            defined.add(name)
            items.append(
                {
                    "town": row.unit.name,
                    "what": TOWN_WORDS[req.key].format(exam=req.exam.title if req.exam else ""),
                    "rate": figure,
                    "required": district.percent_text(req.percent),
                    "defined": DEFINED[name] if first else "",
                }
            )
    return items


def _town_figure(req: "district.Requirement", town: OrgUnit, rate: Rate, year: int) -> Figure:
    exam_id = req.exam.id if req.exam is not None else 0
    if req.names_kind:
        url = url_for("stats.names", exam_id=exam_id, kind=req.names_kind, year=year, unit=town.id)
    else:  # the board of the town names the villages and the leading cadres
        url = url_for("stats.threshold_board", year=year, unit=town.id)
    what = TOWN_WORDS[req.key].format(exam=req.exam.title if req.exam else "")
    return Figure(
        f"towns.{town.id}.{req.key}.{exam_id}",
        f"{town.name}{what}（{TOWN_LISTS[req.key]}）",
        phrasing.percent(rate),
        url,
    )
