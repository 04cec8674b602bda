"""Time spent, looked for in what a supervisor sees (本平台的承诺: supervisors see readings
done / not done, never minutes; the visible-time heartbeat's minutes are the learner's).

Two nets. The demo's reading heartbeats (``reading_progress.counted_ms``, the time spent
the platform measures of a person) are all set to ``PLANTED_MS`` (4321 min 7 s) before
the crawl, so that figure in any unit — seconds, minutes, hours, h:mm:ss, bare in a cell
or not — is found. And the words a time-spent column or sentence would carry (时长, 用时,
分钟, 秒, 小时, 在线时间 …) are found too, but for the phrases that say something
else: an exam's time limit, the sign-in window, a page's refresh, a reading's minimum
set by the admin.
"""

from __future__ import annotations

import re

from yongxi_learn.feedback.promise import PROMISES

# 4321 min 7 s: the minutes, the seconds (259267), the milliseconds and the hours
# (72:01:07, 72.01) are each a figure no other page shows, even bare in a cell.
PLANTED_MS = (4321 * 60 + 7) * 1000 + 3
_PLANTED = re.compile(
    r"(?<![\d.])(?:4321|259267(?:\d{3})?|72\.01\d*|72:01:07)(?!\d)"
    r"|72\s*小时\s*1\s*分"
)
_WORDS = re.compile(r"时长|用时|分钟|秒|小时|停留|在线时间|阅读时间|学习时间")
# What these words say on an admin page that is no one's time spent.
ALLOWED = [
    r"限时\s*\d+\s*分钟",  # an exam's time limit
    r"考试时长（分钟）",  # the exam form's field
    r"时长\s*\d+\s*分钟|时长\s*不限时|时长不限时",  # an exam's settings
    r"开始前\s*30\s*分钟[^。；]*",  # the sign-in window
    r"结束后?\s*30\s*分钟[^。；]*",
    r"二维码每分钟更新",
    r"每\s*\d+\s*秒自动刷新",
    r"最短阅读时间（分钟）",  # the reading form: the minimum the admin sets
    r"至少(?:阅读)?\s*\d+\s*(?:分钟|秒)",
    r"确认学习时间",  # when it was confirmed (a date), not how long
    r"\d+\s*分钟后再试",  # a lock's message
    r"默认考试时长(?:\s*现为\s*\d+\s*分钟)?",  # 单位设置: a new exam's default limit
    r"本单位设为（分钟）",
    # A 语音讲解's length (a recording's, not anyone's time) and the upload's limit.
    r"语音讲解（[^）]*）\s*(?:\d+\s*分\s*)?\d+\s*秒",
    r"不超过\s*\d+\s*分钟、\s*\d+\s*MB",
    r"录音超过\s*\d+\s*分钟[^。；]*",
]
# The promises themselves (on the 备案 sheet) name what is not done.
ALLOWED += [re.escape(line) for line in PROMISES]
_ALLOWED = re.compile("|".join(f"(?:{a})" for a in ALLOWED))
CONTEXT = 15


def time_spent(text: str) -> set[str]:
    """Each place ``text`` shows time spent, with a little of the text around it."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    text = _ALLOWED.sub(" ", re.sub(r"\s+", " ", text))
    found = set()
    for pattern in (_PLANTED, _WORDS):
        for match in pattern.finditer(text):
            start, end = max(match.start() - CONTEXT, 0), match.end() + CONTEXT
            found.add(f"“{match.group()}” in …{text[start:end]}…")
    return found
