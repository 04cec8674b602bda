"""The 年度关账 page as admins use it: the typed confirmation, the frozen figures and
whether the records still give them, reopening with a reason, and the report page of a
closed year."""

import re

import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.cycle.conftest import YEAR
from yongxi_learn.core.time import utcnow
from yongxi_learn.cycle import closing
from yongxi_learn.extensions import db
from yongxi_learn.org.models import User
from yongxi_learn.org.services import Actor
from yongxi_learn.org.year_close import YearClose
from yongxi_learn.reports.models import ReportDraft, ReportVersion


def _page(client, unit):
    return client.get(f"/admin/year/{unit.id}?year={YEAR}")


def _post(client, unit, action, **data):
    token = csrf_token(_page(client, unit).get_data(as_text=True))
    return client.post(
        f"/admin/year/{unit.id}/{action}",
        data={"csrf_token": token, "year": str(YEAR), **data},
        follow_redirects=True,
    )


def _closes() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(YearClose))


def test_closing_asks_for_the_year_typed_then_shows_the_frozen_figures(client, login, year):
    login(year.district_admin)
    start = client.get(f"/admin/year/?unit={year.district.id}&year={YEAR}", follow_redirects=True)
    html = start.get_data(as_text=True)
    assert "未关账" in html and "请输入年度“2024”确认关账" in html
    assert "第1稿" in html
    refused = _post(client, year.district, "close", confirm="2023").get_data(as_text=True)
    assert "请在确认框中输入年度“2024”后再关账" in refused
    assert _closes() == 0
    done = _post(client, year.district, "close", confirm="2024").get_data(as_text=True)
    assert "已关账：大足区2024年度的数字和报告稿已存档，并随区关账2个镇（街道）" in done
    assert _closes() == 3
    assert "与关账时一致" in done and "关账时的数字" in done
    assert "重新开放（更正）" in done  # the district admin may reopen
    town = _page(client, year.town).get_data(as_text=True)
    assert "已关账" in town and "与关账时一致" in town


def test_a_town_admin_closes_their_town_but_not_the_district(client, login, year):
    login(year.town_admin)
    assert _page(client, year.district).status_code == 404
    token = csrf_token(_page(client, year.town).get_data(as_text=True))
    refused = client.post(
        f"/admin/year/{year.district.id}/close",
        data={"csrf_token": token, "year": str(YEAR), "confirm": str(YEAR)},
    )
    assert refused.status_code == 404 and _closes() == 0
    done = _post(client, year.town, "close", confirm="2024").get_data(as_text=True)
    assert "已关账：雍溪镇2024年度" in done and _closes() == 1
    # Reopening is the district admin's: the town admin is told whom to ask.
    assert "重新开放（更正）" not in done and "如需更正，请大足区管理员重新开放该年度" in done
    reopen = client.post(
        f"/admin/year/{year.town.id}/reopen",
        data={"csrf_token": token, "year": str(YEAR), "reason": "更正"},
    )
    assert reopen.status_code == 404


def test_reopening_over_the_page_needs_a_reason_and_keeps_the_history(client, login, year):
    login(year.district_admin)
    _post(client, year.district, "close", confirm="2024")
    empty = _post(client, year.town, "reopen", reason=" ").get_data(as_text=True)
    assert "请填写重新开放的原因" in empty
    done = _post(client, year.town, "reopen", reason="补录漏签").get_data(as_text=True)
    assert "已重新开放2024年度（大足区、雍溪镇）" in done
    assert "历史关账记录" in done and "原因：补录漏签" in done
    assert "请输入年度“2024”确认关账" in done  # may be closed again


def test_the_report_of_a_closed_year_shows_the_frozen_version_and_refuses_edits(
    client, login, year
):
    login(year.district_admin)
    _post(client, year.district, "close", confirm="2024")
    draft_id = db.session.scalar(
        sa.select(ReportDraft.id).where(ReportDraft.unit_id == year.town.id)
    )
    page = client.get(f"/admin/reports/{draft_id}").get_data(as_text=True)
    assert "2024年度已关账：存档的是第1稿" in page
    assert "保存为新的一稿" not in page and "根据最新记录重新生成" not in page
    before = db.session.scalar(sa.select(sa.func.count()).select_from(ReportVersion))
    token = csrf_token(_page(client, year.town).get_data(as_text=True))
    saved = client.post(
        f"/admin/reports/{draft_id}",
        data={"csrf_token": token, "title": "改", "text": "改过的正文"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "2024年度已关账，记录不再更改" in saved
    redraft = client.post(
        f"/admin/reports/{draft_id}/redraft",
        data={"csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "2024年度已关账，记录不再更改" in redraft
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportVersion)) == before


def test_the_report_and_statistics_pages_link_the_close_page(client, login, year):
    login(year.district_admin)
    reports = client.get("/admin/reports/").get_data(as_text=True)
    assert re.search(r'href="/admin/year/"[^>]*>年度关账', reports)
    stats = client.get(f"/stats/?unit={year.district.id}&year={YEAR}").get_data(as_text=True)
    assert "年度关账</a>" in stats


def test_copying_a_study_list_and_the_thresholds_to_the_new_year(client, login, year):
    login(year.district_admin)
    page = client.get(f"/admin/study/lists/{year.study_list.id}").get_data(as_text=True)
    assert "复制到2025年" in page
    done = client.post(
        f"/admin/study/lists/{year.study_list.id}/copy-year",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已复制为2025年的清单" in done and "2025年领导干部应知应会清单" in done
    form = client.get(f"/stats/thresholds/edit?unit={year.district.id}&year={YEAR}")
    html = form.get_data(as_text=True)
    copied = client.post(
        "/stats/thresholds/copy",
        data={"csrf_token": csrf_token(html), "unit": year.district.id, "year": YEAR},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已将2024年达标要求复制为2025年的达标要求" in copied


def test_a_learner_opening_a_closed_years_item_is_told_not_failed(client, login, year):
    with client.application.test_request_context():
        closing.close_year(year.district, YEAR, actor=Actor(year.district_admin), now=utcnow())
        db.session.commit()
    leader = db.session.scalar(sa.select(User).where(User.name == "雍溪镇领导"))
    login(leader)
    item = year.study_list.items[0]
    page = client.get(f"/study/items/{item.id}")
    assert page.status_code == 200
    reply = client.post(
        f"/study/items/{item.id}/opened",
        headers={
            "Accept": "application/json",
            "X-CSRFToken": csrf_token(page.get_data(as_text=True)),
        },
    )
    assert reply.status_code == 409
    assert reply.get_json()["message"].startswith("2024年度已关账")
