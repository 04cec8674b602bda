"""The year selector of the statistics page lists every year with something to show
for the unit's people: exams, training sign-ins, study lists; not another town's."""

import re
from datetime import datetime
from decimal import Decimal

from yongxi_learn.extensions import db
from yongxi_learn.org.models import Role
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.study import plans
from yongxi_learn.training import attendance
from yongxi_learn.training import services as training
from yongxi_learn.training.models import KindCode


def _session_attended(owner, person, year: int):
    training.ensure_default_kinds()
    kind = next(k for k in training.kinds() if k.code is KindCode.TOPIC)
    start = datetime(year, 5, 10, 1)
    data = training.SessionData(
        kind_id=kind.id,
        topic=f"{year}年专题学习",
        starts_at=start,
        ends_at=start.replace(hour=3),
        hours=Decimal(2),
        audience={"units": [owner.id]},
    )
    session = training.create_session(owner, data, actor=SYSTEM)
    db.session.flush()
    attendance.mark(session, person, "补录", actor=SYSTEM, now=start)


def _years_offered(client, unit) -> list[str]:
    html = client.get(f"/stats/?unit={unit.id}&year=2020").get_data(as_text=True)
    select = re.search(r'<select id="f-year".*?</select>', html, re.S).group(0)
    return re.findall(r'value="(\d{4})"', select)


def test_training_and_study_years_are_offered_another_towns_are_not(
    client, login, admin, tree, make_user
):
    cadre = make_user("村干部", tree["village"])
    _session_attended(tree["town"], cadre, 2023)
    plans.create_list(
        tree["district"],
        plans.ListSettings(name="2022年学法清单", year=2022, choose_until=None),
        actor=SYSTEM,
    )
    other = make_user("宝顶干部", tree["other_village"])
    _session_attended(tree["other_town"], other, 2021)
    db.session.commit()
    login(admin)
    # 2020 is the year asked for (always shown); 2021 is another town's only.
    assert _years_offered(client, tree["town"]) == ["2023", "2022", "2020"]
    assert _years_offered(client, tree["office"]) == ["2022", "2020"]  # no sign-in of its own


def test_the_other_towns_admin_sees_their_own_years(client, login, tree, make_user):
    other = make_user("宝顶干部", tree["other_village"])
    _session_attended(tree["other_town"], other, 2021)
    boss = make_user("宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    db.session.commit()
    login(boss)
    assert _years_offered(client, tree["other_town"]) == ["2021", "2020"]
