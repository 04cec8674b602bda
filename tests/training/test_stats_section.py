"""集中学习 on the statistics pages: the section, its sheets, and the name lists."""

import io

import openpyxl

from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category
from yongxi_learn.training import attendance
from yongxi_learn.training.models import AttendanceMethod


def _year(make_session, make_user, tree):
    session = make_session()
    came = make_user("到会村干部", tree["village"], category=Category.VILLAGE_CADRE)
    make_user("未到村干部", tree["village2"], category=Category.VILLAGE_CADRE)
    official = make_user("到会机关干部", tree["office"])
    for person in (came, official):
        attendance.sign_in(session, person, method=AttendanceMethod.QR, now=session.starts_at)
    db.session.commit()


def test_the_overview_shows_training_figures_and_downloads_them(
    client, login, admin, make_session, make_user, tree
):
    _year(make_session, make_user, tree)
    login(admin)
    page = client.get(f"/stats/?year=2024&unit={tree['town'].id}").get_data(as_text=True)
    assert 'id="section-training"' in page
    assert "<dt>参训人次</dt><dd>2</dd>" in page
    assert "村(社区)两委干部覆盖率" in page and "50%" in page
    response = client.get(f"/stats/export.xlsx?year=2024&unit={tree['town'].id}")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "集中学习汇总" in book.sheetnames and "参训名单" in book.sheetnames
    names = [row[1] for row in book["参训名单"].iter_rows(values_only=True)]
    assert "到会村干部" in names and "到会机关干部" in names


def test_the_lists_behind_the_figures(client, login, admin, make_session, make_user, tree):
    _year(make_session, make_user, tree)
    login(admin)
    args = f"year=2024&unit={tree['town'].id}"
    page = client.get(f"/admin/training/people?{args}").get_data(as_text=True)
    assert "到会村干部" in page and "未到村干部" not in page
    page = client.get(f"/admin/training/people?{args}&group=village").get_data(as_text=True)
    assert "未到村干部" in page and "到会村干部" not in page


def test_a_village_admin_cannot_list_another_village(client, login, other_village_admin, tree):
    login(other_village_admin)
    response = client.get(f"/admin/training/people?year=2024&unit={tree['village'].id}")
    assert response.status_code == 403
