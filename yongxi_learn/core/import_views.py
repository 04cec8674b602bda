"""The view side of staged imports (people, questions): reading the upload and
answering a confirm, the same way for every import."""

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from ..extensions import db
from .spreadsheets import ImportRejected, Limits
from .staging import ImportChanged, ImportExpired, ImportInvalid


def read_upload(storage: FileStorage, limits: Limits) -> tuple[bytes, str]:
    """The file's bytes (one past the limit at most: enough to tell it is too large)
    and its bare name."""
    content = storage.read(limits.max_bytes + 1)
    filename = (storage.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return content, filename


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
