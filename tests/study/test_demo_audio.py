"""The demo shows 语音讲解: the demo 法律明白人's on the first article of this year's
reading's law (heard in the town), the admin's on the reading; loading again adds none."""

import contextlib
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import count_rows
from yongxi_learn.cli import load_demo
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import ArticleAudio
from yongxi_learn.org.models import Category
from yongxi_learn.study.reading_models import ReadingAudio


def _load(tmp_path):
    track = lambda items, _label: contextlib.nullcontext(items)  # noqa: E731
    now = datetime(2026, 12, 6, 2, 0)
    load_demo(Path(tmp_path) / "logins.txt", now=now, track=track, echo=lambda _: None)


def test_the_demo_has_an_article_and_a_reading_explanation(app, tmp_path):
    _load(tmp_path)
    note = db.session.scalars(sa.select(ArticleAudio)).one()
    assert note.uploaded_by.category is Category.LEGAL_LIAISON
    assert note.unit.name == "雍溪镇" and note.article.label == "第一条"
    spoken = db.session.scalars(sa.select(ReadingAudio)).one()
    assert "2026年度学习" in spoken.assignment.title and spoken.mime == "audio/mp4"
    _load(tmp_path)
    assert count_rows(ArticleAudio) == 1 and count_rows(ReadingAudio) == 1
