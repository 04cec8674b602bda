"""The labelled enums: a member is stored as its value and shown with its label."""

import sqlalchemy as sa

from yongxi_learn.core.labels import LabelledEnum
from yongxi_learn.extensions import db
from yongxi_learn.org.models import CATEGORY_LABELS, ROLE_LABELS, Category, Role, User


class Colour(LabelledEnum):
    RED = "red", "红"
    BLUE = "blue", "蓝"


def test_a_member_is_its_value_and_carries_its_label():
    assert Colour("red") is Colour.RED and Colour.RED == "red" and str(Colour.BLUE) == "blue"
    assert Colour.BLUE.label == "蓝"
    assert Colour.labels() == {Colour.RED: "红", Colour.BLUE: "蓝"}


def test_the_label_tables_keep_their_order_and_words():
    assert list(CATEGORY_LABELS.values()) == [
        "领导干部",
        "机关干部",
        "村(社区)两委干部",
        "法律明白人",
        "其他",
    ]
    assert list(ROLE_LABELS.values()) == ["管理员", "单位管理员", "审阅人"]


def test_a_labelled_enum_column_stores_the_value(app, make_user, tree):
    make_user("王五", tree["office"], category=Category.VILLAGE_CADRE)
    stored = db.session.scalar(
        sa.select(sa.cast(User.category, sa.String)).where(User.name == "王五")
    )
    assert stored == "village_cadre" and Category(stored).label == "村(社区)两委干部"
    assert Role("admin").label == "管理员"
