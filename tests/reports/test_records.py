"""The report says only what the records show: drafts whose records break each rule.

- an exam's audience is named as its enrolment was;
- a claim without a record (以案释法) is left out;
- a shortfall (0%, or under REPORT_RATE_THRESHOLD) is a weak point, never an achievement;
- a rate says what it is where it is first given, 补考 included or not;
- a saved draft the records no longer bear out is refused by the CLI (unless
  --allow-stale) and its downloads carry a visible mark naming the numbers.
"""

import io
from urllib.parse import quote

import docx
import pytest
import sqlalchemy as sa

from tests.stats.conftest import _enrol, _exam, _sat
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import Actor
from yongxi_learn.reports import services
from yongxi_learn.reports.models import ReportVersion
from yongxi_learn.training import attendance
from yongxi_learn.training.models import AttendanceMethod, KindCode

TITLE = "2024年度法治理论知识考试"


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _draft(admin, tree):
    return services.draft(2024, tree["town"], actor=Actor(admin), now=utcnow())


def _parts(text: str) -> tuple[str, str]:
    """(the achievements, the weak points of 三、存在的问题)."""
    achievements, _, weak_points = text.partition("三、存在的问题")
    return achievements, weak_points


def _sitting(tree, make_user, people: dict, *, audience=None, passed=True):
    """A formal exam enrolling ``people`` ({name: (unit key, category)}), all sat."""
    exam = _exam(tree["town"], TITLE, audience=audience or {})
    for name, (unit, category) in people.items():
        person = make_user(name, tree[unit], category=category)
        _enrol(exam, person)
        _sat(exam, person, 90 if passed else 30)
    db.session.commit()
    return exam


# ---------------------------------------------------------------- the audience


def test_an_exam_of_two_villages_cadres_is_not_called_the_towns_officials(
    ctx, admin, tree, make_user
):
    cadre = Category.VILLAGE_CADRE
    audience = {"units": [tree["village"].id, tree["village2"].id], "categories": [cadre.value]}
    people = {"甲": ("village", cadre), "乙": ("village", cadre), "丙": ("village2", cadre)}
    _sitting(tree, make_user, people, audience=audience)
    text = _draft(admin, tree).text
    assert f"组织石佛村、红岩村3名“两委”干部参加{TITLE}" in text
    assert "机关干部" not in text and "全镇" not in text


def test_an_exam_set_for_the_whole_town_reads_quan_zhen(ctx, admin, tree, make_user):
    audience = {"units": [tree["town"].id], "categories": ["leader", "official"]}
    people = {"书记": ("town", Category.LEADER), "科员": ("office", Category.OFFICIAL)}
    _sitting(tree, make_user, people, audience=audience)
    assert f"组织全镇领导干部和机关干部参加{TITLE}" in _draft(admin, tree).text


def test_people_named_one_by_one_are_counted_not_called_the_whole_town(ctx, admin, tree, make_user):
    people = {"科员甲": ("office", Category.OFFICIAL), "科员乙": ("justice", Category.OFFICIAL)}
    _sitting(tree, make_user, people, audience={"people": []})
    assert f"组织党政办公室、司法所2名机关干部参加{TITLE}" in _draft(admin, tree).text


# ---------------------------------------------------------------- claims need records


def _sessions(make_session, make_user, tree, *, case: bool, officials: bool = True):
    """A topic session (and a 以案释法 one) attended by a village cadre, and by an
    official unless ``officials`` is False."""
    cadre = make_user("村干部", tree["village"], category=Category.VILLAGE_CADRE)
    people = [cadre]
    if officials:
        people.append(make_user("机关干部", tree["office"]))
    kinds = [KindCode.TOPIC, KindCode.CASE] if case else [KindCode.TOPIC]
    for kind in kinds:
        session = make_session(kind=kind)
        for person in people:
            attendance.sign_in(session, person, method=AttendanceMethod.QR, now=session.starts_at)
    db.session.commit()


def test_a_year_without_a_yi_an_shi_fa_session_does_not_claim_one(
    ctx, admin, tree, make_session, make_user
):
    _sessions(make_session, make_user, tree, case=False)
    text = _draft(admin, tree).text
    assert "组织开展法治专题学习1次" in text
    assert "以案释法" not in text


def test_a_yi_an_shi_fa_session_is_written_with_its_count(
    ctx, admin, tree, make_session, make_user
):
    _sessions(make_session, make_user, tree, case=True)
    version = _draft(admin, tree)
    assert "开展“以案释法”1次，提升干部法治意识和法治素养。" in version.text
    assert "training.case" in [f["key"] for f in version.figures]


# ---------------------------------------------------------------- shortfalls


def test_a_zero_coverage_is_a_weak_point_never_an_achievement(
    ctx, admin, tree, make_session, make_user
):
    _sessions(make_session, make_user, tree, case=False, officials=False)
    achievements, weak_points = _parts(_draft(admin, tree).text)
    assert "0%" not in achievements and "机关干部法治教育" not in achievements
    assert (
        "一是干部法治教育覆盖面有待扩大。2024年，全镇机关干部法治教育覆盖率0%"
        "（覆盖率=参训人数/年内在岗人数，机关干部含领导干部）。"
    ) in weak_points
    # The villages' cadres all came: that one is an achievement.
    assert "2个村（社区）“两委”干部法治教育全覆盖" not in weak_points


def test_the_threshold_decides_where_a_rate_goes(ctx, app, monkeypatch, admin, tree, make_user):
    people = {f"科员{i}": ("office", Category.OFFICIAL) for i in range(4)}
    exam = _sitting(tree, make_user, people)
    _sat(exam, make_user("科员丁", tree["office"]), 30)  # not enrolled: does not count
    late = make_user("科员戊", tree["office"])
    _enrol(exam, late)  # enrolled, never sat: 参考率 80%
    db.session.commit()
    achievements, weak_points = _parts(_draft(admin, tree).text)
    assert "参考率80%" in weak_points and "参考率" not in achievements
    assert "通过率100%（通过率=通过人数/参考人数，未组织补考）" in achievements

    monkeypatch.setitem(app.config, "REPORT_RATE_THRESHOLD", 80)
    achievements, weak_points = _parts(
        services.fresh(2024, tree["town"], user=admin, now=utcnow()).text
    )
    assert (
        "参考率80%，通过率100%（参考率=参考人数/应考人数，通过率=通过人数/参考人数，未组织补考）"
        in achievements
    )
    assert weak_points == ""


def test_a_failed_exam_goes_to_the_weak_points_with_its_definition(ctx, scenario, admin, tree):
    achievements, weak_points = _parts(_draft(admin, tree).text)
    assert "参考率" not in achievements and "通过率" not in achievements
    assert (
        f"干部法治理论水平有待提升。{TITLE}参考率71.4%，通过率80%"
        "（参考率=参考人数/应考人数，通过率=通过人数/参考人数，均含补考）。"
    ) in weak_points


# ---------------------------------------------------------------- what a rate is


def test_a_rate_says_what_it_is_where_first_given_and_only_there(ctx, admin, tree, make_user):
    _sitting(tree, make_user, {"科员": ("office", Category.OFFICIAL)})
    text = _draft(admin, tree).text
    assert (
        "参考率及通过率均达100%（参考率=参考人数/应考人数，通过率=通过人数/参考人数，未组织补考）"
        in text
    )
    assert text.count("通过率=通过人数/参考人数") == 1


def test_rates_with_a_makeup_say_they_include_it(ctx, app, monkeypatch, scenario, admin, tree):
    monkeypatch.setitem(app.config, "REPORT_RATE_THRESHOLD", 75)  # 参考率 short, 通过率 not
    achievements, weak_points = _parts(_draft(admin, tree).text)
    assert "通过率80%（通过率=通过人数/参考人数，含补考）" in achievements
    assert "参考率71.4%（参考率=参考人数/应考人数，含补考）" in weak_points


# ---------------------------------------------------------------- stale drafts


def _stale_draft(app, admin, tree, make_user):
    """A saved draft reading 均达100%, then a late 补录 who never sat: 参考率 50% now."""
    with app.test_request_context():
        exam = _sitting(tree, make_user, {"科员": ("office", Category.OFFICIAL)})
        version = _draft(admin, tree)
        assert "均达100%" in version.text
        _enrol(exam, make_user("补录人员", tree["office"]))
        db.session.commit()
        return version.draft_id


def _section(runner, out, *extra):
    args = ["report", "section", "--year", "2024", "--unit", "雍溪镇", "--out", str(out)]
    return runner.invoke(args=[*args, *extra])


def test_the_cli_refuses_a_stale_draft_and_names_the_numbers(
    app, runner, admin, tree, make_user, tmp_path
):
    _stale_draft(app, admin, tree, make_user)
    out = tmp_path / "section.docx"
    result = _section(runner, out)
    assert result.exit_code != 0
    assert "稿中为100%，记录现为参考率50%，通过率100%" in result.output
    assert "--allow-stale" in result.output
    assert not out.exists()


def test_the_cli_writes_a_stale_draft_marked_when_allowed(
    app, runner, admin, tree, make_user, tmp_path
):
    _stale_draft(app, admin, tree, make_user)
    out = tmp_path / "section.docx"
    result = _section(runner, out, "--allow-stale")
    assert result.exit_code == 0, result.output
    assert "数字待核" in result.output
    first = docx.Document(str(out)).paragraphs[0]
    assert first.text.startswith("【核对提示】第1稿有2处数字与当前记录不符")
    assert "稿中为100%，记录现为参考率50%，通过率100%" in first.text
    assert "考试对象：稿中为党政办公室1名机关干部，记录现为党政办公室2名机关干部" in first.text
    assert first.runs[0].bold and str(first.runs[0].font.color.rgb) == "C00000"


def test_a_stale_drafts_downloads_carry_the_mark(app, client, login, admin, tree, make_user):
    draft_id = _stale_draft(app, admin, tree, make_user)
    login(admin)
    response = client.get(f"/admin/reports/{draft_id}/download.docx")
    assert quote("（第1稿，数字待核）.docx") in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    assert document.paragraphs[0].text.startswith("【核对提示】")
    assert "记录现为参考率50%，通过率100%" in document.paragraphs[0].text
    text = client.get(f"/admin/reports/{draft_id}/download.txt").data.decode()
    assert text.startswith("【核对提示】第1稿有2处数字与当前记录不符")
    details = db.session.scalars(
        sa.select(AuditLog.detail).where(AuditLog.action == "report.download")
    ).all()
    assert all("已标注" in d for d in details) and len(details) == 2


def test_a_draft_the_records_still_bear_out_downloads_unmarked(
    app, client, login, admin, tree, make_user
):
    with app.test_request_context():
        _sitting(tree, make_user, {"科员": ("office", Category.OFFICIAL)})
        draft_id = _draft(admin, tree).draft_id
        db.session.commit()
    login(admin)
    response = client.get(f"/admin/reports/{draft_id}/download.txt")
    assert quote("（第1稿）.txt") in response.headers["Content-Disposition"]
    title = db.session.scalar(sa.select(ReportVersion.title))
    assert response.data.decode().splitlines()[0] == title
