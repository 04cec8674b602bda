"""study_tally never disagrees with the choices and progress it counts: after each change
made through the real services its rows equal those grouped from the source rows, and
the 学习清单与阅读 overview read from it equals the one after a rebuild from them (and
equals leader_study and reading_completion, which it no longer calls)."""

import importlib.util
from pathlib import Path

import sqlalchemy as sa

from tests.study.helpers import choose, finish
from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org import services as org
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.stats import queries, study_section
from yongxi_learn.stats.sections import Scope
from yongxi_learn.study import plans, tally
from yongxi_learn.study.plan_models import ItemKind, StudyTally

from .conftest import item_of

MIGRATION = Path(__file__).parents[2] / "migrations/versions/20261126_stats_summary.py"


def kept_rows():
    return sorted(
        (t.list_id, t.user_id, t.key_n, t.field_n, t.done_n)
        for t in db.session.scalars(sa.select(StudyTally))
    )


def source_rows():
    return sorted(tuple(int(v) for v in r) for r in db.session.execute(tally.source_select()))


def overview(tree):
    data = study_section.build(Scope(2024, tree["town"], None, utcnow()))
    lists = [
        (
            f.people,
            f.chosen,
            f.completed,
            [(u.unit.id, u.people, u.first, u.second) for u in f.by_unit],
        )
        for f in data.lists
    ]
    leaders = data.leaders
    assert leaders == queries.leader_study(2024, tree["town"])
    assert data.reading_completion == queries.reading_completion(2024, tree["town"])
    return lists, (leaders.people, leaders.chosen, leaders.completed), data.reading_completion


def assert_agrees(tree):
    db.session.flush()
    assert kept_rows() == source_rows()
    kept = overview(tree)
    tally.rebuild()
    assert overview(tree) == kept
    return kept


def test_tally_follows_every_change_made_through_the_services(study_list, reading, make_user, tree):
    a = make_user("领导甲", tree["town"], category=Category.LEADER)
    b = make_user("科员乙", tree["office"])
    choose(study_list, a, "民法典", "行政处罚法", "土地管理法")
    finish(study_list, a, "宪法", "党章", "民法典")
    lists, leaders, _ = assert_agrees(tree)
    assert str(lists[0][1]) == "50%" and leaders[0] == 1

    finish(study_list, a, "行政处罚法", "土地管理法")
    choose(study_list, b, "民法典", "行政许可法", "公务员法")
    finish(study_list, b, "宪法", "行政许可法")
    assert str(assert_agrees(tree)[1][2]) == "100%"

    # A new choice: 行政处罚法 (finished) is off the plan now, 行政许可法 on it.
    choose(study_list, a, "民法典", "行政许可法", "土地管理法")
    assert str(assert_agrees(tree)[1][2]) == "0%"

    # An item nobody chose becomes 必学: everyone's finished count may change.
    item = item_of(study_list, "治安管理处罚法")
    spec = plans.ItemSpec(kind=ItemKind.REQUIRED, law_id=item.law_id)
    plans.update_item(item, spec, actor=SYSTEM)
    assert_agrees(tree)

    org.set_person_active(b, False, actor=SYSTEM)
    assert assert_agrees(tree)[0][0][0] == 1


def test_migration_backfill_counts_choices_and_progress(study_list, make_user, tree):
    a = make_user("领导甲", tree["town"], category=Category.LEADER)
    choose(study_list, a, "民法典", "行政处罚法", "土地管理法")
    finish(study_list, a, "宪法", "民法典")
    choose(study_list, a, "民法典", "行政许可法", "土地管理法")  # 行政处罚法 dropped
    db.session.flush()
    kept = kept_rows()
    spec = importlib.util.spec_from_file_location("stats_summary", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(sa.delete(StudyTally))
    db.session.execute(sa.text(migration.STUDY_BACKFILL))
    db.session.expire_all()
    assert kept_rows() == kept == source_rows() == [(study_list.id, a.id, 2, 1, 2)]
