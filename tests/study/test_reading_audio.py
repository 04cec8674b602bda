"""语音讲解 on a reading: the admin who manages the reading uploads a phone recording on
its page; the people it is given to hear it on the reading page, others do not; the
朗读 button is on the reading page, hidden until the browser shows a Chinese voice."""

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.courses import media
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Role
from yongxi_learn.study.reading_models import ReadingAudio


@pytest.fixture
def reader(make_user, tree):
    return make_user("张读者", tree["office"])


@pytest.fixture
def b_admin(make_user, tree):
    return make_user("宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])


@pytest.fixture
def b_person(make_user, tree):
    return make_user("宝顶村干部", tree["other_village"])


def _upload(client, reading, data: bytes, filename="讲解.m4a"):
    return client.post(
        f"/admin/study/readings/{reading.id}/audio",
        data={"audio": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _files(app):
    folder = Path(app.instance_path) / "media"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _note():
    return db.session.scalars(sa.select(ReadingAudio)).one()


def test_the_admin_uploads_and_the_readers_hear_it(app, client, login, admin, reader, reading):
    login(admin)
    assert "上传语音讲解" in client.get(f"/admin/study/readings/{reading.id}").text
    page = _upload(client, reading, media.m4a(2)).text
    assert "语音讲解已上传" in page, re.findall(r"alert[^>]*>([^<]*)", page)
    note = _note()
    assert note.stored_name in _files(app) and note.uploaded_by_id == admin.id
    (entry,) = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "reading.audio"))
    assert entry.object_id == reading.id

    client.post("/logout")
    login(reader)
    shown = client.get(f"/study/readings/{reading.id}").text
    assert "语音讲解（管理员甲、司法所）" in shown
    assert f'src="/study/readings/audio/{note.id}"' in shown and "删除此讲解" not in shown
    response = client.get(f"/study/readings/audio/{note.id}", headers={"Range": "bytes=0-9"})
    assert response.status_code == 206 and len(response.get_data()) == 10


def test_a_reader_cannot_upload_or_delete(client, login, admin, reader, reading):
    login(admin)
    _upload(client, reading, media.mp3(1), "a.mp3")
    client.post("/logout")
    login(reader)
    assert _upload(client, reading, media.mp3(1), "b.mp3").status_code == 403
    assert client.post(f"/admin/study/readings/audio/{_note().id}/delete").status_code == 403
    assert count_rows(ReadingAudio) == 1


def test_a_recording_that_is_not_audio_is_refused(app, client, login, admin, reading):
    login(admin)
    assert "文件不是MP3或M4A(AAC)音频" in _upload(client, reading, media.mp4(), "v.m4a").text
    assert count_rows(ReadingAudio) == 0 and _files(app) == []


def test_another_town_neither_hears_nor_deletes_it(
    client, login, admin, b_admin, b_person, reading
):
    login(admin)
    _upload(client, reading, media.m4a(1))
    note_id = _note().id
    for outsider in (b_admin, b_person):
        client.post("/logout")
        login(outsider)
        assert client.get(f"/study/readings/audio/{note_id}").status_code == 404
        assert client.post(f"/admin/study/readings/audio/{note_id}/delete").status_code == 404
    client.post("/logout")
    login(b_admin)
    assert _upload(client, reading, media.m4a(1)).status_code == 404
    assert count_rows(ReadingAudio) == 1


def test_the_admin_deletes_the_note_and_its_file(app, client, login, admin, reading):
    login(admin)
    _upload(client, reading, media.m4a(1))
    page = client.post(
        f"/admin/study/readings/audio/{_note().id}/delete", follow_redirects=True
    ).text
    assert "语音讲解已删除" in page and "还没有语音讲解" in page
    assert count_rows(ReadingAudio) == 0 and _files(app) == []


def test_the_reading_page_has_a_hidden_read_aloud_button(client, login, reader, reading):
    login(reader)
    page = client.get(f"/study/readings/{reading.id}").text
    button = re.search(r'<button[^>]*data-speak="reading-text"[^>]*>朗读</button>', page)
    assert button and " hidden" in button.group(0)
    assert 'id="reading-text"' in page
    assert re.search(r'<script src="[^"]*/js/speech[^"]*\.js" defer>', page)


def test_the_retention_purge_removes_a_persons_recordings(app, client, login, admin, reading):
    from yongxi_learn.org.retention import anonymise

    login(admin)
    _upload(client, reading, media.m4a(1))
    anonymise(admin)
    db.session.commit()
    assert count_rows(ReadingAudio) == 0 and _files(app) == []


def test_the_admin_page_shows_no_time_spent_with_a_note(client, login, admin, reading):
    """A recording's length and the upload's limit are not anyone's time (tests/live)."""
    from tests.live.minutes import time_spent

    login(admin)
    page = _upload(client, reading, media.m4a(2)).text
    assert "语音讲解（管理员甲、司法所）" in page
    assert time_spent(page) == set()
