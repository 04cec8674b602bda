"""The view side of staged imports (people, questions): the upload page, reading the
upload into a preview, and answering a confirm, the same way for every import."""

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from ..extensions import db
from .spreadsheets import ImportRejected, Limits, megabytes
from .staging import ImportChanged, ImportExpired, ImportInvalid


def read_upload(storage: FileStorage, limits: Limits) -> tuple[bytes, str]:
    """The file's bytes (one past the limit at most: enough to tell it is too large)
    and its bare name."""
    content = storage.read(limits.max_bytes + 1)
    filename = (storage.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return content, filename


def upload_page(template: str, form, limits: Limits, problem: str = ""):
    """The upload form with the limits it is held to, and why a file was refused."""
    return render_template(
        template,
        form=form,
        problem=problem,
        max_rows=limits.max_rows,
        max_size=megabytes(limits.max_bytes),
    )


def preview_page(
    form,
    stage: Callable[[bytes, str], tuple],
    *,
    limits: Limits,
    upload_template: str,
    preview_template: str,
):
    """Stage the uploaded file (``stage(content, filename)`` gives the pending import and
    its plan) and show the preview, or the upload page again with why it was refused."""
    content, filename = read_upload(form.file.data, limits)
    try:
        pending, plan = stage(content, filename)
    except ImportRejected as exc:
        return upload_page(upload_template, form, limits, problem=str(exc))
    db.session.commit()
    return render_template(preview_template, plan=plan, pending=pending)


def confirm_page(
    run: Callable[[], object],
    *,
    preview_template: str,
    done_template: str,
    refused: tuple[type[Exception], ...] = (),
):
    """Run a confirm and commit, or roll back and say why nothing was imported.

    ``refused`` are the feature's own domain errors that a changed database can
    raise while applying (e.g. a phone taken meanwhile).
    """
    try:
        result = run()
    except ImportExpired:
        db.session.rollback()
        flash("上传的文件已过期，请重新上传", "warning")
        return redirect(url_for(".upload"))
    except ImportChanged as exc:
        db.session.rollback()
        return render_template(preview_template, plan=exc.plan, pending=exc.pending, changed=True)
    except ImportInvalid as exc:
        db.session.rollback()
        return render_template(preview_template, plan=exc.plan, pending=None, rechecked=True)
    except (ImportRejected, IntegrityError, *refused) as exc:
        # Rare: the limits or the data changed between preview and confirm.
        db.session.rollback()
        reason = "" if isinstance(exc, IntegrityError) else f"（{exc}）"
        flash(f"导入未完成，没有写入任何数据{reason}，请重新上传", "danger")
        return redirect(url_for(".upload"))
    db.session.commit()
    return render_template(done_template, result=result)
