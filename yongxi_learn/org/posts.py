"""The rank of a 职务, so people are listed as a government lists them: 党委书记, 镇长,
人大主席, 党委副书记, 副镇长, 党委委员 …, not by the pinyin of their names.

Lists order people by unit first (the unit tree's order), so a rank only has to order
the people of one unit: a village's 书记 and the town's 党委书记 never meet.
"""

import re

# First match wins: a deputy's title is checked before the title it contains
# (副书记 before 书记, 副镇长 before 镇长).
_RANKS = (
    ("党委书记", 10),
    ("纪委书记", 45),
    ("副书记", 40),
    ("书记", 10),  # 党总支书记, 支部书记: the head of a village's party branch
    ("人大副主席", 70),
    ("人大主席", 30),
    ("副镇长", 50),
    ("副乡长", 50),
    ("副主任", 50),
    ("镇长", 20),
    ("乡长", 20),
    ("主任", 20),  # 村委会主任, 街道办事处主任, an office's 主任
    ("委员", 60),  # 党委委员, 组织委员, 村委委员
    ("武装部", 60),  # 武装部部长 sits in the 党委 as 组织委员 and 宣传委员 do
    ("副", 90),  # 副站长, 副所长, 副科长
    ("长", 80),  # 站长, 所长, 科长, 武装部长
)
OTHER_POST = 200  # a post that names no rank: 干部, 科员, 法律明白人
NO_POST = 250  # no post given: after everyone with one

# A person holding several posts ("党委副书记、镇长") ranks by the highest of them.
_SEPARATORS = re.compile(r"[、，,/／；;\s]+")


def post_rank(post: str | None) -> int:
    """A smaller number lists first."""
    parts = [part for part in _SEPARATORS.split(post or "") if part]
    if not parts:
        return NO_POST
    return min(_rank_of(part) for part in parts)


def _rank_of(title: str) -> int:
    return next((rank for word, rank in _RANKS if word in title), OTHER_POST)
