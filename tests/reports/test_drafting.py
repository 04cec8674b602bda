"""The report section drafted from hand-built records whose figures are known."""

import io

import docx
import pytest
import sqlalchemy as sa

from tests.stats.conftest import _enrol, _exam, _sat
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category, Role
from yongxi_learn.org.services import Actor
from yongxi_learn.reports import services
from yongxi_learn.reports.models import ReportVersion
from yongxi_learn.stats import queries
from yongxi_learn.training import attendance
from yongxi_learn.training.models import AttendanceMethod, KindCode


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _draft(admin, tree, year=2024):
    return services.draft(year, tree["town"], actor=Actor(admin), now=utcnow())


def test_the_drafts_exam_figures_are_the_stats_layers(ctx, app, monkeypatch, scenario, admin, tree):
    monkeypatch.setitem(app.config, "REPORT_RATE_THRESHOLD", 70)  # both count as achieved
    version = _draft(admin, tree)
    total = queries.year_overview(2024, tree["town"], user=None, now=utcnow()).reports[0].total
    assert (str(total.participation), str(total.pass_rate)) == ("71.4%", "80%")
    assert "参加2024年度法治理论知识考试，参考率71.4%，通过率80%（" in version.text
    keys = [f["key"] for f in version.figures]
    assert "exam.participation" in keys and "exam.pass_rate" in keys
    assert "None" not in version.text and "—" not in version.text


def test_both_rates_at_100_read_jun_da_100(ctx, admin, tree, make_user):
    exam = _exam(tree["town"], "2024年度法治理论知识考试")
    for i in range(3):
        person = make_user(f"干部{i}", tree["office"])
        _enrol(exam, person)
        _sat(exam, person, 90)
    db.session.commit()
    version = _draft(admin, tree)
    assert "参考率及通过率均达100%" in version.text
    assert "参考率100%" not in version.text


def test_a_year_without_records_leaves_those_sentences_out(ctx, admin, tree, kinds):
    text = _draft(admin, tree).text
    for absent in ("参考率", "通过率", "中心组专题学法", "人次", "0%", "None", "—"):
        assert absent not in text
    assert text.startswith("一、推进法治政府建设的主要举措及成效")


def _training_year(make_session, make_user, tree, *, everyone: bool, admin=None):
    leader = make_user("领导", tree["town"], category=Category.LEADER)
    official = make_user("机关干部", tree["office"])
    cadres = [
        make_user(f"村干部{i}", tree[v], category=Category.VILLAGE_CADRE)
        for i, v in enumerate(["village", "village2"])
    ]
    make_session(kind=KindCode.CENTRE_GROUP)
    session = make_session()
    people = [leader, official, *cadres] if everyone else [leader, official, cadres[0]]
    if admin is not None:  # the admin works in 司法所: an official too
        people.append(admin)
    for person in people:
        attendance.sign_in(session, person, method=AttendanceMethod.QR, now=session.starts_at)
    db.session.commit()


def test_full_coverage_is_written_only_when_it_is_true(ctx, admin, tree, make_session, make_user):
    _training_year(make_session, make_user, tree, everyone=False)
    text = _draft(admin, tree).text
    assert "全覆盖" not in text
    achievements, weak_points = text.split("三、存在的问题")
    # 50% is under the default threshold (90%): a weak point, not an achievement.
    assert "2个村（社区）“两委”干部法治教育覆盖率50%" in weak_points
    assert "覆盖率50%" not in achievements
    assert "开展中心组专题学法1次" in text and "组织开展法治专题学习1次" in text
    assert "培训3人次" in text


def test_full_coverage_when_everyone_came(ctx, admin, tree, make_session, make_user):
    _training_year(make_session, make_user, tree, everyone=True, admin=admin)
    text = _draft(admin, tree).text
    assert "对全镇机关干部、2个村（社区）“两委”干部法治教育全覆盖" in text
    assert "培训5人次" in text


def test_a_district_or_a_jiedao_is_written_as_itself_not_as_a_town(
    ctx, tree, make_session, make_user
):
    _training_year(make_session, make_user, tree, everyone=True)
    district = tree["district"]
    district_admin = make_user("区管理员", district, roles=[(Role.ADMIN, district)])
    text = services.draft(2024, district, actor=Actor(district_admin), now=utcnow()).text
    assert "对全区机关干部、" in text
    assert "深化依法治区" in text and "组织区、镇（街道）、村（社区）干部集中学法" in text
    assert "全镇" not in text and "依法治镇" not in text

    tree["town"].name = "雍溪街道"
    db.session.commit()
    text = services.draft(2024, tree["town"], actor=Actor(district_admin), now=utcnow()).text
    assert "对全街道机关干部、" in text and "深化依法治街" in text
    assert "全镇" not in text


def test_a_makeup_taken_later_is_flagged_with_the_current_value(ctx, scenario, admin, tree):
    version = _draft(admin, tree)
    db.session.commit()
    assert services.check(version, user=admin, now=utcnow()).stale == []
    _sat(scenario.makeup, scenario.people["甲"], 95)
    db.session.commit()
    checked = services.check(version, user=admin, now=utcnow())
    stale = {f.figure["key"]: (f.figure["text"], f.current) for f in checked.stale}
    assert stale["exam.participation"] == ("71.4%", "85.7%")
    assert stale["exam.pass_rate"] == ("80%", "83.3%")
    html = "".join(str(p) for p in checked.paragraphs)
    assert '<mark class="stale" title="记录已变化">71.4%</mark>（现为85.7%）' in html


def test_an_edited_draft_keeps_its_figures_versions_and_authors(ctx, scenario, admin, tree):
    first = _draft(admin, tree)
    edited = first.text.replace("切实将学习成果转化为实际行动。", "")
    second = services.save(first.draft, first.title, edited, actor=Actor(admin))
    db.session.commit()
    assert (second.number, second.created_by_id) == (2, admin.id)
    assert second.figures == first.figures
    found = services.check(second, user=admin, now=utcnow()).found
    assert {f.figure["key"] for f in found} >= {"exam.participation", "exam.pass_rate"}
    with pytest.raises(services.ReportError, match="没有变化"):
        services.save(first.draft, first.title, edited, actor=Actor(admin))
    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert "report.draft" in actions and "report.save" in actions


def test_the_sandbox_refuses_a_template_reaching_for_internals(ctx, admin, tree, kinds):
    with pytest.raises(services.ReportError, match="不允许"):
        services.set_template(
            tree["town"],
            "{{ topic.__class__.__mro__ }}{{ year }}",
            actor=Actor(admin),
            year=2024,
            now=utcnow(),
        )
    services.set_template(
        tree["town"],
        "{{ unit }}{{ year }}年：共{{ person_times or 0 }}。",
        actor=Actor(admin),
        year=2024,
        now=utcnow(),
    )
    assert _draft(admin, tree).text == "雍溪镇2024年：共0。"


def test_a_village_uses_its_towns_wording(ctx, admin, tree, kinds):
    services.set_template(
        tree["town"], "本镇措辞{{ year }}", actor=Actor(admin), year=2024, now=utcnow()
    )
    assert services.fresh(2024, tree["village"], user=None, now=utcnow()).text == "本镇措辞2024"


# ---------------------------------------------------------------- pages and files


def test_the_page_drafts_links_figures_and_downloads(client, login, scenario, admin, tree):
    login(admin)
    response = client.post(
        "/admin/reports/",
        data={"unit_id": tree["town"].id, "year": 2024},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "已根据记录生成第1稿" in page
    formal = scenario.formal.id
    assert f'href="/stats/exams/{formal}/names/absent?year=2024&amp;unit={tree["town"].id}"' in page
    version = db.session.scalar(sa.select(ReportVersion))
    response = client.get(f"/admin/reports/{version.draft_id}/download.docx")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    # A browser that reads only the ASCII fallback still saves a file Word opens.
    assert 'filename="download.docx"' in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == version.title and texts[2:] == version.text.split("\n")
    response = client.get(f"/admin/reports/{version.draft_id}/download.txt")
    assert 'filename="download.txt"' in response.headers["Content-Disposition"]
    assert response.data.decode().splitlines()[2:] == version.text.split("\n")


def test_the_cli_writes_what_the_page_downloads(
    app, client, login, runner, scenario, admin, tree, tmp_path
):
    login(admin)
    client.post("/admin/reports/", data={"unit_id": tree["town"].id, "year": 2024})
    version = db.session.scalar(sa.select(ReportVersion))
    for fmt in ("txt", "docx"):
        out = tmp_path / f"section.{fmt}"
        result = runner.invoke(
            args=[
                "report",
                "section",
                "--year",
                "2024",
                "--unit",
                "雍溪镇",
                "--out",
                str(out),
                "--format",
                fmt,
            ]
        )
        assert result.exit_code == 0, result.output
        download = client.get(f"/admin/reports/{version.draft_id}/download.{fmt}").data
        if fmt == "txt":
            assert out.read_bytes() == download
        else:
            cli_doc, web_doc = docx.Document(str(out)), docx.Document(io.BytesIO(download))
            assert [p.text for p in cli_doc.paragraphs] == [p.text for p in web_doc.paragraphs]


def test_auditors_read_and_download_but_do_not_draft(app, login, scenario, admin, reviewer, tree):
    with app.test_request_context():
        version = _draft(admin, tree)
        db.session.commit()
    client = app.test_client()
    login(reviewer, client=client)
    assert client.get(f"/admin/reports/{version.draft_id}").status_code == 200
    assert client.get(f"/admin/reports/{version.draft_id}/download.docx").status_code == 200
    response = client.post(
        f"/admin/reports/{version.draft_id}", data={"title": "x", "text": "改写"}
    )
    assert response.status_code == 403
    assert client.post(f"/admin/reports/{version.draft_id}/redraft").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ReportVersion.id))) == 1


def test_another_units_admin_cannot_open_the_draft(app, login, scenario, admin, make_user, tree):
    with app.test_request_context():
        version = _draft(admin, tree)
        db.session.commit()
    stranger = make_user("外镇管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    client = app.test_client()
    login(stranger, client=client)
    for path in ("", "/download.docx", "/download.txt"):
        assert client.get(f"/admin/reports/{version.draft_id}{path}").status_code == 404
