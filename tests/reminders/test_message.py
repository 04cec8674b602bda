from datetime import date
from types import SimpleNamespace as Row

from yongxi_learn.reminders.message import reminder_message


def _p(unit, name):
    return Row(unit_name=unit, name=name)


def test_one_unit_is_one_sentence_with_the_date():
    text = reminder_message(
        "民法典学习", date(2026, 12, 20), [_p("石佛村", "张三"), _p("石佛村", "李四")]
    )
    assert text == "请以下同志于12月20日前完成《民法典学习》：张三、李四。"


def test_several_units_one_line_each():
    text = reminder_message("考试", None, [_p("石佛村", "张三"), _p("司法所", "李四")])
    assert text.splitlines() == ["请以下同志尽快完成《考试》：", "石佛村：张三。", "司法所：李四。"]


def test_a_session_asks_to_attend_and_nobody_gives_no_text():
    text = reminder_message("专题学习", date(2026, 12, 8), [_p("石佛村", "张三")], attend=True)
    assert text == "请以下同志于12月8日按时参加《专题学习》：张三。"
    assert reminder_message("专题学习", None, []) == ""
