"""Reading time is counted honestly on the server; 我已学习 needs the minimum time and
the end of the text; rich text is sanitized."""

from datetime import timedelta

import pytest

from yongxi_learn.core.time import utcnow
from yongxi_learn.org.services import SYSTEM
from yongxi_learn.study import readings, sanitize
from yongxi_learn.study.common import StudyError
from yongxi_learn.study.reading_models import ReadingKind
from yongxi_learn.study.readings import Beat

T0 = utcnow().replace(microsecond=0)


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def progress(reading, learner):
    return readings.open_reading(reading, learner, now=at(0))


def beat(progress, state, seconds, at_end=False):
    return readings.heartbeat(progress, state, at_end=at_end, now=at(seconds))


def test_heartbeats_while_visible_count(progress):
    beat(progress, Beat.START, 0)
    for t in (15, 30, 45):
        beat(progress, Beat.VISIBLE, t)
    assert progress.seconds == 45


def test_hidden_time_does_not_count(progress):
    beat(progress, Beat.START, 0)
    beat(progress, Beat.VISIBLE, 10)
    beat(progress, Beat.HIDDEN, 20)  # visible until now, then the clock stops
    beat(progress, Beat.VISIBLE, 600)  # a beat after ten hidden minutes credits nothing
    beat(progress, Beat.VISIBLE, 610)
    assert progress.seconds == 30


def test_a_beat_after_a_long_silence_is_capped(progress):
    beat(progress, Beat.START, 0)
    beat(progress, Beat.VISIBLE, 3600)
    assert progress.seconds == readings.BEAT_CAP.seconds


def test_a_fast_loop_counts_only_real_time(progress):
    beat(progress, Beat.START, 0)
    for i in range(1, 101):
        beat(progress, Beat.VISIBLE, i * 0.1)  # 100 beats in 10 seconds
    assert progress.seconds == 10


def test_a_replayed_beat_counts_nothing(progress):
    beat(progress, Beat.START, 0)
    beat(progress, Beat.VISIBLE, 20)
    for _ in range(5):
        beat(progress, Beat.VISIBLE, 20)
    beat(progress, Beat.VISIBLE, 10)  # an old beat arriving late
    assert progress.seconds == 20


def test_start_beat_restarts_the_clock_without_credit(progress):
    beat(progress, Beat.START, 0)
    beat(progress, Beat.START, 25)
    assert progress.seconds == 0


def test_confirm_is_refused_before_the_minimum_time(progress):
    beat(progress, Beat.START, 0)
    beat(progress, Beat.VISIBLE, 30, at_end=True)
    with pytest.raises(StudyError, match="阅读时间还不够：至少需要1分钟，还差约30秒"):
        readings.confirm(progress, now=at(31))
    assert progress.confirmed_at is None


def test_confirm_is_refused_before_the_end_of_the_text(progress):
    beat(progress, Beat.START, 0)
    beat(progress, Beat.VISIBLE, 30)
    beat(progress, Beat.VISIBLE, 60)
    with pytest.raises(StudyError, match="请阅读到文末后再确认"):
        readings.confirm(progress, now=at(61))


def test_confirm_after_the_minimum_and_the_end(progress):
    beat(progress, Beat.START, 0)
    beat(progress, Beat.VISIBLE, 30, at_end=True)
    beat(progress, Beat.VISIBLE, 60)
    readings.confirm(progress, now=at(61))
    assert progress.confirmed_at == at(61)


def test_reading_not_assigned_cannot_be_opened(reading, make_user, tree):
    outsider = make_user("外镇", tree["other_village"])
    with pytest.raises(StudyError, match="不是布置给您的"):
        readings.open_reading(reading, outsider, now=at(0))


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<p>案情</p><script>alert(1)</script>", ["<script", "alert(1)"]),
        ('<img src="x" onerror="alert(1)"><p>案情</p>', ["onerror", "<img"]),
        ('<a href="javascript:alert(1)">点我</a>', ["javascript:"]),
        ('<p onclick="steal()" style="color:red">案情</p>', ["onclick", "style"]),
        (
            '<a href="JaVaScRiPt:alert(1)">x</a><iframe src="//evil"></iframe>',
            ["avascript", "iframe"],
        ),
    ],
)
def test_sanitizer_removes_script_event_attributes_and_javascript_urls(dirty, forbidden):
    clean = sanitize.clean(dirty)
    for bad in forbidden:
        assert bad.lower() not in clean.lower()


def test_sanitizer_keeps_safe_formatting_and_turns_plain_text_into_paragraphs():
    assert sanitize.clean('<p><strong>裁判要旨</strong><a href="https://x.cn">链接</a></p>') == (
        '<p><strong>裁判要旨</strong><a href="https://x.cn" rel="noopener noreferrer nofollow">'
        "链接</a></p>"
    )
    assert sanitize.clean("第一段\n\n第二段") == "<p>第一段</p><p>第二段</p>"
    assert sanitize.clean("一 & 二") == "<p>一 &amp; 二</p>"


def test_text_reading_is_stored_sanitized(app, tree):
    reading = readings.create_reading(
        tree["town"],
        readings.ReadingSettings(
            title="以案释法",
            kind=ReadingKind.TEXT,
            due_on=None,
            min_seconds=60,
            body='<p>案情</p><img src=x onerror="alert(1)"><script>x()</script>',
            audience={"units": [tree["town"].id]},
        ),
        actor=SYSTEM,
    )
    assert reading.body_html == "<p>案情</p>"


def test_minimum_time_out_of_range_is_refused(tree, laws):
    settings = readings.ReadingSettings(
        title="x", kind=ReadingKind.ARTICLES, due_on=None, min_seconds=1, law_id=laws["宪法"].id
    )
    with pytest.raises(StudyError, match="最短阅读时间应在5秒到60分钟之间"):
        readings.create_reading(tree["town"], settings, actor=SYSTEM)
