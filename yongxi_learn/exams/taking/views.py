"""Taking exams: 我的考试, the attempt page, autosave, submit, result, 错题本."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from ...auth.sessions import TOUCH_INTERVAL, LoginCheck
from ...auth.views import password_gate
from ...core.time import utcnow
from ...extensions import db
from .. import answer_versions, attempts
from ..models import Attempt, AttemptStatus, Exam
from . import autosave, fast_submit, practice, review
from .my_exams import ExamEntry, available_exams, exam_notice
from .page import load_sheet, load_sheet_for_login

bp = Blueprint("take", __name__)


@bp.get("/")
@login_required
def my_exams():
    entries = exam_entries(current_user)
    return render_template("exams/my_exams.html", entries=entries)


@bp.get("/<int:exam_id>/start")
@login_required
def notice(exam_id):
    """考试须知 with the 开始答题 button: reading it starts nothing (the button POSTs)."""
    shown = exam_notice(current_user, exam_id, utcnow())
    if shown is None:
        abort(404)
    if shown.entry.current is not None:
        return redirect(url_for("take.attempt", attempt_id=shown.entry.current.id))
    return render_template("exams/notice.html", notice=shown)


@bp.post("/<int:exam_id>/start")
@login_required
def start(exam_id):
    exam = db.get_or_404(Exam, exam_id)
    try:
        attempt = attempts.start_attempt(exam, current_user, utcnow())
    except attempts.NotEnrolled:
        abort(404)
    except attempts.AttemptError as exc:
        db.session.commit()  # an overdue attempt may have been finalized on the way
        flash(str(exc), "warning")
        return redirect(url_for("take.my_exams"))
    attempts.record_login(attempt.id, current_user.current_login.id, utcnow())
    db.session.commit()
    return redirect(url_for("take.attempt", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
def attempt(attempt_id):
    """The fast path (the login checked in the sheet's query, the person not loaded)
    when all is usual: a live login seen within the minute and an attempt in
    progress. Anything else, including the login's once-a-minute touch, takes the
    full path. Neither writes: a login new to the attempt is noted by the page's
    script (``opened``)."""
    now = utcnow()
    token = session.get("_user_id")
    if isinstance(token, str):
        found = load_sheet_for_login(token, attempt_id, _login_check(now))
        if found is not None:
            sheet, login = found
            usual = not sheet.status.finished and not attempts.is_overdue(sheet, now)
            if usual and now - login.last_seen < TOUCH_INTERVAL:
                return _attempt_page(sheet, now, login.known)
    return _attempt_full(attempt_id, now)


def _attempt_full(attempt_id: int, now):
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    gate = password_gate()  # what auth's before_request does elsewhere
    if gate is not None:
        return gate
    sheet = load_sheet(attempt_id, current_user.id)
    if sheet.status.finished or attempts.is_overdue(sheet, now):
        # Overdue: the result page shows it as finalized (exams.overdue).
        return redirect(url_for("take.result", attempt_id=sheet.id))
    known = attempts.login_known(attempt_id, current_user.current_login.id)
    return _attempt_page(sheet, now, known)


def _attempt_page(sheet, now, login_known: bool):
    """``login_known``: this login is noted on the attempt; if not, the page's script
    notes it (``opened``), so that a GET writes nothing."""
    return render_template(
        "exams/attempt.html",
        sheet=sheet,
        remaining=attempts.remaining_seconds(sheet, now),
        login_known=login_known,
    )


@bp.post("/attempts/<int:attempt_id>/opened")
def opened(attempt_id):
    """A page opened by a login new to the attempt (another device, a new login)
    says so, for the monitor's 多设备; a save or 交卷 from it notes it too."""
    if not current_user.is_authenticated or password_gate() is not None:
        return login_lost()
    attempt = attempts.load_attempt(attempt_id, current_user)
    attempts.record_login(attempt.id, current_user.current_login.id, utcnow())
    db.session.commit()
    return {"ok": True}


def _login_check(now) -> LoginCheck:
    return LoginCheck.at(current_app.config, now)


@bp.post("/attempts/<int:attempt_id>/answer")
def answer(attempt_id):
    """Autosave: the fast path (no user loaded) when all is usual, else the full one.

    The page sends ``position``, ``answer`` (letters as shown), ``base`` (the version
    of the answer it saw) and ``age`` (milliseconds since the answer was given); see
    ``answer_versions``. Every answer is JSON: a lost login is a 401, never the login
    page, so the page can say so."""
    token = session.get("_user_id")
    if not isinstance(token, str):  # not logged in: the login answer, before anything
        return login_lost()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):  # the full path says 404 for others' attempts, else 400
        return _answer_full(attempt_id, {})
    position, base, age = _int(data.get("position")), _int(data.get("base")), _int(data.get("age"))
    page = _page_order(data)
    if (base is None and data.get("base") is not None) or (age is None and data.get("age")):
        return _json_error("请求无效", 400)  # a number no page sends (beyond the database)
    if page is None:
        return _json_error("请求无效", 400)
    if position:
        try:
            now = utcnow()
            saved = autosave.save(
                token,
                _login_check(now),
                attempt_id,
                position,
                str(data.get("answer") or ""),
                -1 if base is None else base,
                age,
                now,
                page,
            )
        except attempts.InvalidAnswer as exc:
            return _json_error(str(exc), 400)
        if saved is not None:
            db.session.commit()
            return _saved(position, saved)
    return _answer_full(attempt_id, data)


def _answer_full(attempt_id: int, data: dict):
    if not current_user.is_authenticated or password_gate() is not None:
        return login_lost()
    attempt = attempts.load_attempt(attempt_id, current_user, lock="share")
    now = utcnow()
    position = _int(data.get("position"))
    try:
        saved = attempts.save_answer(
            attempt,
            current_user,
            position,
            str(data.get("answer") or ""),
            now,
            base=_int(data.get("base")),
            age_ms=_int(data.get("age")),
            page=_page_order(data) or answer_versions.NO_PAGE,
        )
    except attempts.AttemptFinished as exc:
        db.session.commit()  # keep the finalization of an overdue attempt
        return _finished(attempt, str(exc))
    except attempts.InvalidAnswer as exc:
        return _json_error(str(exc), 400)
    attempts.record_login(attempt.id, current_user.current_login.id, now)
    db.session.commit()
    return _saved(position, saved)


def _saved(position: int, saved) -> dict:
    return {
        "ok": True,
        "applied": saved.applied,
        "position": position,
        "answer": saved.letters,
        "version": saved.version,
        "total": saved.total,
        "remaining_seconds": saved.remaining_seconds,
    }


def _finished(attempt: Attempt, message: str):
    """A 409 the page reads: the attempt is over, by 交卷 or by the deadline."""
    reason = "expired" if attempt.status is AttemptStatus.EXPIRED else "submitted"
    return {"ok": False, "reason": reason, "error": message}, 409


@bp.get("/attempts/<int:attempt_id>/answers")
def answers(attempt_id):
    """The answers as saved now, for a page that learned it is behind (another page
    answered meanwhile): JSON, read only."""
    if not current_user.is_authenticated or password_gate() is not None:
        return login_lost()
    now = utcnow()
    sheet = load_sheet(attempt_id, current_user.id)
    if sheet.status.finished or attempts.is_overdue(sheet, now):
        reason = "expired" if sheet.status is not AttemptStatus.SUBMITTED else "submitted"
        return {"ok": False, "reason": reason, "error": "本次考试已结束"}, 409
    return {
        "ok": True,
        "total": sheet.total,
        "answers": {
            str(item.position): {"answer": item.letters, "version": item.version}
            for item in sheet.items
        },
        "remaining_seconds": attempts.remaining_seconds(sheet, now),
    }


@bp.post("/attempts/<int:attempt_id>/submit")
def submit(attempt_id):
    """Hand in: the fast path (the login checked in the attempt's query, the person not
    loaded) when all is usual, else the full one. The page's form carries every
    answer as shown (``answers_in_form``) and the version of each it saw: its answers
    stand, except where another page changed one after it saw it; then, before the
    deadline, nothing is handed in and the page shows the answers as saved."""
    now = utcnow()
    token = session.get("_user_id")
    if not isinstance(token, str):  # not logged in: the login answer, before anything
        return current_app.login_manager.unauthorized()
    form = _form_answers() if request.form.get("answers_in_form") else None
    versions = _form_versions()
    if fast_submit.submit_for_login(token, _login_check(now), attempt_id, now, form, versions):
        db.session.commit()
        return redirect(url_for("take.result", attempt_id=attempt_id))
    return _submit_full(attempt_id, now, form, versions)


def _submit_full(attempt_id: int, now, form: dict[int, str] | None, versions: dict[int, int]):
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    gate = password_gate()  # what auth's before_request does elsewhere
    if gate is not None:
        return gate
    attempt = attempts.load_attempt(attempt_id, current_user, lock="update")
    attempts.record_login(attempt_id, current_user.current_login.id, now)
    if attempt.status.finished:
        # Handed in already (a double click, or another page): the result stands.
        late = attempts.late_answers(attempt, form) if form is not None else 0
        if late:
            flash(f"本次考试已在另一个页面交卷，本页有 {late} 个答案未计入。", "warning")
        return redirect(url_for("take.result", attempt_id=attempt_id))
    try:
        kept = []
        if form is not None:
            kept = attempts.save_form_answers(attempt, current_user, form, versions, now)
        if kept and not attempts.past_deadline(attempt, now):
            db.session.commit()
            flash(_kept_message(kept), "warning")
            return redirect(url_for("take.attempt", attempt_id=attempt_id))
        attempts.submit_attempt(attempt, current_user, now)
    except attempts.InvalidAnswer as exc:
        flash(str(exc), "danger")
        return redirect(url_for("take.attempt", attempt_id=attempt_id))
    except attempts.AttemptFinished as exc:
        late = attempts.late_answers(attempt, form) if form is not None else 0
        tail = f"。本页有 {late} 个答案在截止后送达，未计入。" if late else ""
        flash(f"{exc}{tail}", "warning")
    db.session.commit()
    return redirect(url_for("take.result", attempt_id=attempt_id))


def _kept_message(positions: list[int]) -> str:
    numbers = "、".join(str(p) for p in positions)
    return (
        f"尚未交卷：第 {numbers} 题的答案在本页打开后已在另一个页面或设备上修改。"
        "本页现显示已保存的最新答案，请核对后再交卷。"
    )


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id):
    attempt = attempts.load_attempt(attempt_id, current_user, with_exam=True)
    now = utcnow()
    if not (attempt.status.finished or attempts.is_overdue(attempt, now)):
        return redirect(url_for("take.attempt", attempt_id=attempt.id))
    shown = review.review(attempt, current_user, now)
    return render_template("exams/result.html", review=shown, attempt=shown.outcome)


@bp.get("/wrong")
@login_required
def wrong_book():
    categories, laws = practice.practice_topics(current_user)
    return render_template(
        "exams/wrong_book.html",
        items=practice.wrong_book(current_user, utcnow()),
        categories=categories,
        laws=laws,
    )


@bp.post("/practice")
@login_required
def start_practice():
    try:
        attempt = practice.start_practice(
            current_user,
            utcnow(),
            wrong_only=request.form.get("wrong_only") == "1",
            category_id=_int(request.form.get("category_id")),
            law_ref=request.form.get("law_ref", "")[:200],
        )
    except attempts.AttemptError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("take.wrong_book"))
    db.session.commit()
    return redirect(url_for("take.attempt", attempt_id=attempt.id))


# ---------------------------------------------------------------- helpers


def exam_entries(user) -> list[ExamEntry]:
    """The person's exams for a page; an overdue attempt counts as finalized."""
    return available_exams(user, utcnow())


def _form_answers() -> dict[int, str]:
    answers = {}
    for key in request.form:
        if key.startswith("q") and key[1:].isdigit():
            answers[int(key[1:])] = "".join(request.form.getlist(key))
    return answers


def _form_versions() -> dict[int, int]:
    """The version of each answer the page saw (``v<position>``), where it says."""
    versions = {}
    for key in request.form:
        if key.startswith("v") and key[1:].isdigit():
            version = _int(request.form.get(key))
            if version is not None:
                versions[int(key[1:])] = version
    return versions


def login_lost():
    """What a JSON endpoint of the attempt page answers without a live login."""
    return {"ok": False, "reason": "login", "error": "登录已失效，请重新登录"}, 401


def _page_order(data: dict) -> answer_versions.PageOrder | None:
    """The page's key and count of saves (``page``, ``n``), both or neither; None
    for anything a page does not send."""
    key, n = data.get("page"), data.get("n")
    if key is None and n is None:
        return answer_versions.NO_PAGE
    count = _int(n)
    valid = isinstance(key, str) and answer_versions.PAGE_KEY.fullmatch(key)
    if not valid or count is None or count < 0:
        return None
    return answer_versions.PageOrder(key, count)


def _int(value) -> int | None:
    """An integer the database's INTEGER columns hold, else None (a 400, not a 500)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -_INT_LIMIT <= number < _INT_LIMIT else None


_INT_LIMIT = 2**31


def _json_error(message: str, status: int):
    return {"ok": False, "error": message}, status
