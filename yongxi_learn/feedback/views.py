"""意见建议 (for everyone and for the admins who answer), 本平台的承诺, the 备案 sheet."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user, login_required

from ..core.forms import flash_errors
from ..core.spreadsheets import content_disposition
from ..core.time import utcnow
from ..extensions import db
from ..org import audit
from ..org.actors import current_actor
from ..org.permissions import Perm, require
from . import filing, services
from .forms import AnswerForm, FeedbackForm
from .models import FeedbackKind
from .promise import PROMISES

bp = Blueprint("feedback", __name__)


@bp.get("/feedback")
@login_required
def mine(form=None):
    return render_template(
        "feedback/mine.html",
        form=form or FeedbackForm(),
        items=services.mine(current_user),
        waiting=services.waiting_days,
        now=utcnow(),
    )


@bp.post("/feedback")
@login_required
def send():
    form = FeedbackForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return mine(form), 400
    try:
        services.send(
            user=current_user,
            kind=FeedbackKind(form.kind.data),
            text=form.text.data,
            anonymous=form.anonymous.data,
            now=utcnow(),
        )
    except services.FeedbackError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return mine(form), 400
    db.session.commit()
    flash("已提交。答复后会显示在本页。", "success")
    return redirect(url_for("feedback.mine"))


@bp.get("/admin/feedback")
@require(Perm.ANSWER_FEEDBACK)
def admin_index():
    page = db.paginate(
        services.answered_select(current_user),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "feedback/admin.html",
        open_items=services.open_items(current_user),
        answered=page,
        form=AnswerForm(),
        sender=lambda item: services.sender_shown(current_user, item),
        waiting=services.waiting_days,
        now=utcnow(),
    )


@bp.post("/admin/feedback/<int:feedback_id>/answer")
@require(Perm.ANSWER_FEEDBACK)
def answer(feedback_id):
    item = services.get_for_answer(feedback_id, current_user)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for("feedback.admin_index"))
    try:
        services.answer(item, text=form.text.data, actor=current_actor(), now=utcnow())
    except services.FeedbackError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("feedback.admin_index", _anchor=f"item-{feedback_id}"))
    db.session.commit()
    flash("已答复，提交人可在“意见建议”页看到。", "success")
    return redirect(url_for("feedback.admin_index"))


@bp.get("/promise")
def promise():
    """本平台的承诺: public, so it can be read before logging in."""
    return render_template("feedback/promise.html", promises=PROMISES)


@bp.get("/admin/filing.docx")
@require(Perm.FILING_SHEET)
def filing_sheet():
    body = filing.sheet_docx(current_app.config, now=utcnow())
    audit.record_download("filing.download", actor=current_user, address=current_actor().address)
    response = current_app.response_class(body, mimetype=filing.DOCX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition("备案信息表.docx")
    return response
