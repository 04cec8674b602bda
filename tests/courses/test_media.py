"""Uploading course media (checked by content and size) and playing it back with
HTTP Range, or through nginx's X-Accel-Redirect."""

import io
import re

import pytest
from werkzeug.test import EnvironBuilder

from tests.conftest import count_rows
from tests.courses import media
from tests.courses.conftest import upload
from yongxi_learn.courses.models import CourseMedia, CoursePart
from yongxi_learn.extensions import db

MB = 1024 * 1024


@pytest.fixture
def draft(tree, law, bank):
    from tests.courses.helpers import make_course

    return make_course(tree["town"], law, publish=False)


def _files(app):
    folder = media_dir(app)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def media_dir(app):
    from pathlib import Path

    return Path(app.instance_path) / "media"


def test_an_h264_video_is_stored_under_a_name_the_server_chose(app, client, login, admin, draft):
    login(admin)
    before = count_rows(CourseMedia)
    page = upload(client, draft.id, media.mp4(sound=True), "我的视频.mp4", "video").get_data(
        as_text=True
    )
    assert "已添加" in page, re.findall(r"alert[^>]*>([^<]*)", page)
    assert count_rows(CourseMedia) == before + 1
    found = db.session.scalars(db.select(CourseMedia).order_by(CourseMedia.id.desc())).first()
    assert found.mime == "video/mp4" and found.kind.value == "video"
    assert found.duration_seconds == 2
    assert "我的视频" not in found.stored_name and found.stored_name.endswith(".mp4")
    assert found.stored_name in _files(app)


@pytest.mark.parametrize(
    ("make", "filename", "kind", "message"),
    [
        (media.mp3, "课程.mp4", "video", "文件不是MP4(H.264)视频"),  # an MP3 renamed
        (lambda: media.mp4(codec="libx265"), "hevc.mp4", "video", "文件不是MP4(H.264)视频"),
        (media.m4a, "audio-only.mp4", "video", "文件不是MP4(H.264)视频"),
        (media.mp4, "video.mp3", "audio", "文件不是MP3或M4A(AAC)音频"),
        (lambda: b"<html>not media</html>" * 100, "page.mp3", "audio", "文件不是MP3或M4A(AAC)音频"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused(
    app, client, login, admin, draft, make, filename, kind, message
):
    login(admin)
    parts = count_rows(CoursePart)
    page = upload(client, draft.id, make(), filename, kind).get_data(as_text=True)
    assert message in page
    assert count_rows(CourseMedia) == 1  # the fixture's own MP3
    assert count_rows(CoursePart) == parts
    assert len(_files(app)) == 1


def test_a_file_over_the_configured_size_is_refused(app, client, login, admin, draft):
    app.config["COURSE_MEDIA_MAX_MB"] = 1
    login(admin)
    big = media.mp3() + b"\0" * (1024 * 1024)
    page = upload(client, draft.id, big, "long.mp3", "audio").get_data(as_text=True)
    assert "文件超过1MB" in page
    assert len(_files(app)) == 1


def test_a_request_far_over_the_limit_is_cut_off_before_it_is_read(
    app, client, login, admin, draft
):
    app.config["COURSE_MEDIA_MAX_MB"] = 1
    login(admin)
    data = {"kind": "media", "media_kind": "audio", "media_file": (io.BytesIO(b"\0" * 3 * MB), "x")}
    assert _post(client, f"/admin/courses/{draft.id}/parts", data).status_code == 413


def test_the_video_route_alone_takes_more_than_the_form_limit(app, client, login, admin, draft):
    """Any other form still stops at MAX_CONTENT_LENGTH (8 MB)."""
    login(admin)
    data = {"title": (io.BytesIO(b"x" * 9 * MB), "x")}
    assert _post(client, f"/admin/courses/{draft.id}/edit", data).status_code == 413


def _post(client, url, data):
    """A large body through a builder closed afterwards (its spooled file with it)."""
    builder = EnvironBuilder(path=url, method="POST", data=data)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


# ---------------------------------------------------------------- playing


def _media_url(course):
    part = next(p for p in course.parts if p.media_id)
    return f"/courses/media/{part.media_id}", part.media


def test_range_requests_start_seek_and_resume(client, login, cadre, course):
    url, found = _media_url(course)
    login(cadre)
    whole = client.get(url)
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.mimetype == "audio/mpeg"
    assert whole.headers["Cache-Control"] == "no-store"  # checked for this person only
    data = whole.get_data()
    assert len(data) == found.size_bytes

    first = client.get(url, headers={"Range": "bytes=0-99"})
    assert first.status_code == 206
    assert first.headers["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert first.get_data() == data[:100]

    seek = client.get(url, headers={"Range": "bytes=5000-"})
    assert seek.status_code == 206
    assert seek.get_data() == data[5000:]


def test_a_range_past_the_end_is_416(client, login, cadre, course):
    url, found = _media_url(course)
    login(cadre)
    response = client.get(url, headers={"Range": f"bytes={found.size_bytes + 10}-"})
    assert response.status_code == 416


def test_behind_nginx_the_app_only_names_the_file(app, client, login, cadre, course):
    app.config["MEDIA_X_ACCEL"] = "/protected-media/"
    url, found = _media_url(course)
    login(cadre)
    response = client.get(url)
    assert response.headers["X-Accel-Redirect"] == f"/protected-media/{found.stored_name}"
    assert response.mimetype == "audio/mpeg"
    assert response.get_data() == b""


def test_media_of_another_town_or_an_unpublished_course_is_not_served(
    app, client, login, b_person, b_admin, cadre, course, draft
):
    url, _ = _media_url(course)
    draft_url, _ = _media_url(draft)
    login(b_person)
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(b_admin)
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(cadre)
    assert client.get(draft_url).status_code == 404
    assert client.get(url).status_code == 200
