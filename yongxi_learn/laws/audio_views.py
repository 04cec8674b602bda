"""语音讲解 of an article (laws/audio.py): its page with the upload form, the file
(with Range), deleting one."""

import io

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core import media
from ..core.exceptions import NotFound
from ..core.forms import run_service
from ..core.time import utcnow
from ..extensions import db
from ..org.actors import current_actor
from . import audio
from .models import ArticleAudio, LawArticle
from .services import LawError
from .views import bp


def _article(law_id: int, article_id: int) -> LawArticle:
    article = db.session.get(LawArticle, article_id)
    if article is None or article.law_id != law_id:
        raise NotFound(article_id)
    return article


@bp.get("/<int:law_id>/articles/<int:article_id>/audio")
@login_required
def article_audio(law_id, article_id):
    article = _article(law_id, article_id)
    return render_template(
        "laws/article_audio.html",
        article=article,
        law=article.law,
        notes=audio.notes_for([article.id], current_user).get(article.id, []),
        deletable=lambda note: audio.may_delete(current_user, note),
        home=audio.note_unit(current_user),
        max_mb=current_app.config["AUDIO_NOTE_MAX_MB"],
        max_minutes=current_app.config["AUDIO_NOTE_MAX_MINUTES"],
    )


@bp.post("/<int:law_id>/articles/<int:article_id>/audio")
@login_required
def add_audio(law_id, article_id):
    article = _article(law_id, article_id)
    upload = request.files.get("audio")
    config = current_app.config

    def change():
        audio.add_note(
            article,
            # No file: an empty one, refused as 请选择文件 once the permission holds.
            upload.stream if upload else io.BytesIO(),
            actor=current_actor(),
            max_bytes=media.note_max_bytes(config),
            max_seconds=media.note_max_seconds(config),
            now=utcnow(),
        )

    run_service(change, "语音讲解已上传", (LawError,))
    return redirect(url_for(".article_audio", law_id=law_id, article_id=article.id))


@bp.get("/audio/<int:note_id>")
@login_required
def audio_file(note_id):
    note = audio.get_audible(note_id, current_user)
    return media.send(note.stored_name, note.mime)


@bp.post("/audio/<int:note_id>/delete")
@login_required
def delete_audio(note_id):
    note: ArticleAudio = audio.get_audible(note_id, current_user)
    article = note.article
    stored = audio.delete_note(note, actor=current_actor())
    db.session.commit()
    media.remove(stored)
    flash("语音讲解已删除", "success")
    return redirect(url_for(".article_audio", law_id=article.law_id, article_id=article.id))
