"""Content made at district level and used by its towns: a district exam published to
two towns at once keeps each town's figures apart; a town still adds its own."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl

from tests.exams.paper_fixtures import add_attempt, make_exam, make_questions
from tests.stats.helpers import dashboard_figures
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import exam_tally
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category, Role
from yongxi_learn.org.services import Actor


def _district_exam(tree, make_user):
    district_admin = make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])])
    questions = make_questions(tree["district"], n=2)
    year = utcnow().year
    exam = make_exam(
        tree["district"],
        district_admin,
        audience={"units": [tree["town"].id, tree["other_town"].id]},
        questions=questions,
        title="全区法治理论知识考试",
        year=year,
        pass_score=Decimal(3),
        opens_at=utcnow() - timedelta(hours=1),
        closes_at=utcnow() + timedelta(days=3),
    )
    return district_admin, questions, exam


def test_a_district_exam_for_two_towns_keeps_each_towns_figures(
    app, tree, make_user, login, client
):
    people = {
        "甲": make_user("雍溪甲", tree["village"], category=Category.VILLAGE_CADRE),
        "乙": make_user("雍溪乙", tree["office"]),
        "丙": make_user("宝顶丙", tree["other_village"], category=Category.VILLAGE_CADRE),
    }
    district_admin, questions, exam = _district_exam(tree, make_user)
    enrolled = papers.publish(exam, actor=Actor(user=district_admin), now=utcnow())
    db.session.commit()
    assert enrolled == 3  # the towns' people; not the district admin
    q1, q2 = questions
    add_attempt(exam, people["甲"], [(q1, q1.answer), (q2, q2.answer)])
    add_attempt(exam, people["丙"], [(q1, "D"), (q2, "D")])
    exam_tally.refresh_exam(exam.id)
    db.session.commit()

    town_admin = make_user("镇管理员", tree["justice"], roles=[(Role.ADMIN, tree["town"])])
    other_admin = make_user(
        "宝顶管理员", tree["other_village"], roles=[(Role.ADMIN, tree["other_town"])]
    )
    year = exam.year

    login(town_admin)
    rows = {
        r["单位"]: r
        for r in dashboard_figures(client.get(f"/stats/?year={year}").get_data(as_text=True))
    }
    assert rows["合计"]["应考人数"] == "2" and rows["合计"]["参考人数"] == "1"
    assert rows["合计"]["通过人数"] == "1"
    assert "宝顶" not in "".join(rows)

    other = app.test_client()
    login(other_admin, client=other)
    rows = {
        r["单位"]: r
        for r in dashboard_figures(other.get(f"/stats/?year={year}").get_data(as_text=True))
    }
    assert rows["合计"]["应考人数"] == "1" and rows["合计"]["参考人数"] == "1"
    assert rows["合计"]["通过人数"] == "0"


def test_a_town_admin_reads_the_district_bank_but_cannot_change_or_export_it(
    tree, make_user, login, client
):
    district_q = make_questions(tree["district"], n=1)[0]
    district_q.stem = "区级题库中的题目"
    other_q = make_questions(tree["other_town"], n=1)[0]
    other_q.stem = "宝顶镇自编的题目"
    own_q = make_questions(tree["town"], n=1)[0]
    own_q.stem = "本镇自编的题目"
    db.session.commit()
    ids = district_q.id, own_q.id
    admin = make_user("镇管理员", tree["justice"], roles=[(Role.ADMIN, tree["town"])])
    login(admin)

    own = client.get("/admin/questions/").get_data(as_text=True)
    assert "本镇自编的题目" in own and "区级题库中的题目" not in own

    upper = client.get("/admin/questions/?bank=upper").get_data(as_text=True)
    assert "区级题库中的题目" in upper and "大足区" in upper
    assert "本镇自编的题目" not in upper and "宝顶镇自编的题目" not in upper
    assert f"/admin/questions/{ids[0]}" not in upper  # no edit link
    assert client.get(f"/admin/questions/{ids[0]}").status_code == 404

    exported = openpyxl.load_workbook(
        io.BytesIO(client.get("/admin/questions/export.xlsx?bank=upper").data)
    )
    cells = {str(c.value) for sheet in exported for row in sheet.iter_rows() for c in row}
    assert "本镇自编的题目" in cells and "区级题库中的题目" not in cells
