"""语音讲解 on a law article: a 法律明白人 or an admin uploads a phone recording (checked by
content, length and size); the people of the uploader's town hear it on the article,
another town's people neither see, play nor delete it; the file is sent with Range."""

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.courses import media
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import ArticleAudio, Law, LawArticle, LawKind
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category, Role


@pytest.fixture
def law(tree):
    law = Law(owner_unit=tree["district"], title="中华人民共和国人民调解法", kind=LawKind.LAW)
    for n in range(1, 4):
        law.articles.append(
            LawArticle(position=n - 1, number=n, label=f"第{n}条", text=f"人民调解示例条文{n}。")
        )
    db.session.add(law)
    db.session.commit()
    return law


@pytest.fixture
def liaison(make_user, tree):
    return make_user("王明白", tree["village"], category=Category.LEGAL_LIAISON)


@pytest.fixture
def neighbour(make_user, tree):
    return make_user("李村民", tree["village2"])


@pytest.fixture
def b_person(make_user, tree):
    return make_user("宝顶村干部", tree["other_village"], category=Category.LEGAL_LIAISON)


@pytest.fixture
def b_admin(make_user, tree):
    return make_user("宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])


def _url(law, n=1):
    article = law.articles[n - 1]
    return f"/laws/{law.id}/articles/{article.id}/audio"


def _upload(client, law, data: bytes, filename="录音.m4a", n=1):
    return client.post(
        _url(law, n),
        data={"audio": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _files(app):
    folder = Path(app.instance_path) / "media"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _note():
    return db.session.scalars(sa.select(ArticleAudio).order_by(ArticleAudio.id.desc())).first()


def test_a_liaison_uploads_a_phone_recording_and_their_town_hears_it(
    app, client, login, liaison, neighbour, law, tree
):
    login(liaison)
    page = _upload(client, law, media.m4a(3)).text
    assert "语音讲解已上传" in page, re.findall(r"alert[^>]*>([^<]*)", page)
    note = _note()
    assert (note.mime, note.duration_seconds, note.unit_id) == ("audio/mp4", 3, tree["town"].id)
    assert "录音" not in note.stored_name and note.stored_name in _files(app)
    (entry,) = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "law.audio"))
    assert entry.actor_id == liaison.id and "第1条" in entry.detail

    client.post("/logout")
    login(neighbour)
    detail = client.get(f"/laws/{law.id}").text
    assert "语音讲解（王明白、石佛村）" in detail
    assert f'<audio controls preload="none" src="/laws/audio/{note.id}">' in detail
    assert "删除此讲解" not in detail and "添加语音讲解" not in detail
    assert client.get(f"/laws/audio/{note.id}").status_code == 200


@pytest.mark.parametrize(
    ("make", "filename", "mime"),
    [(media.mp3, "voice.mp3", "audio/mpeg"), (media.aac, "录音.aac", "audio/aac")],
)
def test_mp3_and_raw_aac_are_accepted_too(client, login, liaison, law, make, filename, mime):
    login(liaison)
    assert "语音讲解已上传" in _upload(client, law, make(2), filename).text
    assert (_note().mime, _note().duration_seconds) == (mime, 2)


@pytest.mark.parametrize(
    ("make", "filename"),
    [
        (media.mp4, "video.m4a"),  # a video renamed
        (lambda: b"<html>not audio</html>" * 100, "page.mp3"),
    ],
)
def test_a_file_that_is_not_a_recording_is_refused(
    app, client, login, liaison, law, make, filename
):
    login(liaison)
    assert "文件不是MP3或M4A(AAC)音频" in _upload(client, law, make(), filename).text
    assert count_rows(ArticleAudio) == 0 and _files(app) == []


def test_a_recording_over_the_configured_length_is_refused(app, client, login, liaison, law):
    app.config["AUDIO_NOTE_MAX_MINUTES"] = 1
    login(liaison)
    assert "录音超过1分钟" in _upload(client, law, media.mp3(62), "long.mp3").text
    assert count_rows(ArticleAudio) == 0 and _files(app) == []


def test_a_recording_over_the_configured_size_is_refused(app, client, login, liaison, law):
    app.config["AUDIO_NOTE_MAX_MB"] = 1
    login(liaison)
    big = media.mp3() + b"\0" * (1024 * 1024)
    assert "文件超过1MB" in _upload(client, law, big, "big.mp3").text
    assert count_rows(ArticleAudio) == 0


def test_a_person_who_is_neither_liaison_nor_admin_cannot_upload(client, login, neighbour, law):
    login(neighbour)
    assert "上传语音讲解" not in client.get(_url(law)).text
    response = client.post(
        _url(law), data={"audio": (io.BytesIO(media.m4a(1)), "a.m4a")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 403
    assert count_rows(ArticleAudio) == 0


def test_an_admin_uploads_for_the_town(client, login, admin, law, tree):
    login(admin)
    assert "上传后雍溪镇的人员可以收听" in client.get(_url(law)).text
    assert "语音讲解已上传" in _upload(client, law, media.m4a(1)).text
    assert _note().unit_id == tree["town"].id


def test_another_town_neither_sees_plays_nor_deletes_the_note(
    app, client, login, liaison, b_person, b_admin, law
):
    login(liaison)
    _upload(client, law, media.m4a(1))
    note = _note()
    for outsider in (b_person, b_admin):
        client.post("/logout")
        login(outsider)
        assert "王明白" not in client.get(f"/laws/{law.id}").text
        assert "王明白" not in client.get(_url(law)).text
        assert client.get(f"/laws/audio/{note.id}").status_code == 404
        assert client.post(f"/laws/audio/{note.id}/delete").status_code == 404
    assert count_rows(ArticleAudio) == 1 and note.stored_name in _files(app)


def test_the_uploader_deletes_their_note_and_its_file(app, client, login, liaison, law):
    login(liaison)
    _upload(client, law, media.m4a(1))
    note = _note()
    assert "删除此讲解" in client.get(f"/laws/{law.id}").text
    page = client.post(f"/laws/audio/{note.id}/delete", follow_redirects=True).text
    assert "语音讲解已删除" in page
    assert count_rows(ArticleAudio) == 0 and _files(app) == []
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.action.like("law.%")))
    assert list(actions) == ["law.audio", "law.audio_delete"]


def test_a_town_person_may_not_delete_someone_elses_note_but_the_admin_may(
    client, login, liaison, neighbour, admin, law
):
    login(liaison)
    _upload(client, law, media.m4a(1))
    note_id = _note().id
    client.post("/logout")
    login(neighbour)
    assert client.post(f"/laws/audio/{note_id}/delete").status_code == 403
    client.post("/logout")
    login(admin)
    assert "删除此讲解" in client.get(f"/laws/{law.id}").text
    assert client.post(f"/laws/audio/{note_id}/delete").status_code == 302
    assert count_rows(ArticleAudio) == 0


def test_the_recording_is_sent_with_range(client, login, liaison, law):
    login(liaison)
    _upload(client, law, media.mp3(3), "voice.mp3")
    url = f"/laws/audio/{_note().id}"
    whole = client.get(url)
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.mimetype == "audio/mpeg"
    assert whole.headers["Cache-Control"] == "no-store"
    data = whole.get_data()
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert part.get_data() == data[100:200]


def test_each_article_has_a_read_aloud_button_hidden_until_a_voice_is_found(
    client, login, neighbour, law
):
    login(neighbour)
    page = client.get(f"/laws/{law.id}").text
    for article in law.articles:
        button = re.search(rf'<button[^>]*data-speak="a{article.id}"[^>]*>朗读</button>', page)
        assert button and " hidden" in button.group(0), article.label
    assert re.search(r'<script src="[^"]*/js/speech[^"]*\.js" defer>', page)


def test_the_retention_purge_removes_a_persons_recordings(app, client, login, liaison, law):
    from yongxi_learn.org.retention import anonymise

    login(liaison)
    _upload(client, law, media.m4a(1))
    anonymise(liaison)
    db.session.commit()
    assert count_rows(ArticleAudio) == 0 and _files(app) == []
