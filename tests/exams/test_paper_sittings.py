"""Paper sittings: an admin prints personal papers for chosen people, types each
returned paper's answers against its code; the same grader scores them and they
count in the figures like an online sitting."""

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.exams.taking import begin, key_shown, text
from yongxi_learn.core.exceptions import PermissionDenied
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams import attempts, exam_tally, grading, paper_sittings
from yongxi_learn.exams.models import (
    Attempt,
    AttemptMode,
    AttemptStatus,
    ExamStatus,
    QuestionType,
)
from yongxi_learn.exams.papers.base import ExamError
from yongxi_learn.extensions import db
from yongxi_learn.inspection import ledgers
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Role
from yongxi_learn.org.services import Actor
from yongxi_learn.stats import queries


def _print(client, exam, *people):
    return client.post(
        f"/admin/exams/{exam.id}/paper/print", data={"user_id": [p.id for p in people]}
    )


def _sitting(exam, person) -> Attempt:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Attempt).where(
            Attempt.exam_id == exam.id,
            Attempt.user_id == person.id,
            Attempt.mode == AttemptMode.PAPER,
        )
    )


def _enter(client, exam, code, answers):
    return client.post(
        f"/admin/exams/{exam.id}/paper/enter", data={"code": code, "answers": answers}
    )


def _shown_answers(sitting, right: set[int]) -> list[str]:
    """The key as printed at the positions in ``right``, a wrong answer elsewhere."""
    answers = []
    for aq in sitting.questions:
        key = key_shown(aq)
        if aq.position in right:
            answers.append(key)
        elif aq.question.type is QuestionType.MULTI:
            answers.append("A" if key != "A" else "B")
        else:
            answers.append(next(ch for ch in "AB" if ch != key))
    return answers


def _judge_symbols(sitting, answers: list[str]) -> list[str]:
    """判断 written as on paper: √ for 正确 (printed A), × for 错误 (printed B)."""
    return [
        {"A": "√", "B": "×"}[a] if aq.question.type is QuestionType.JUDGE else a
        for aq, a in zip(sitting.questions, answers, strict=True)
    ]


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


# ---------------------------------------------------------------- printing


def test_printing_draws_a_personal_paper_for_each_chosen_person(as_admin, exam, cadre, other):
    page = text(as_admin.get(f"/admin/exams/{exam.id}/paper"))
    assert "冉晓丽" in page and "李四" in page

    response = _print(as_admin, exam, cadre, other)
    assert response.status_code == 302
    html = text(as_admin.get(response.headers["Location"]))

    for person, unit in ((cadre, "石佛村"), (other, "红岩村")):
        sitting = _sitting(exam, person)
        assert sitting.status is AttemptStatus.IN_PROGRESS and sitting.deadline is None
        assert re.fullmatch(rf"{exam.id}-[A-Z0-9]{{5}}", sitting.paper_code)
        assert len(sitting.questions) == 9  # drawn by the exam's rules, as online
        paper = html.split(f'id="paper-{sitting.paper_code}"')[1].split("</article>")[0]
        assert person.name in paper and unit in paper and sitting.paper_code in paper
        for aq in sitting.questions:
            assert aq.question.stem in paper
            if aq.question.type is not QuestionType.JUDGE:
                first = aq.question.options[aq.option_order[0]]
                assert f"A. {first}" in paper  # options in printed order
        assert paper.count("<th>") == 9  # the answer grid, one cell per question
    assert "<script" not in html and "@media print" not in html  # styles in paper.css
    assert html.count('class="paper"') == 2


def test_printing_again_gives_the_same_paper(as_admin, exam, cadre):
    _print(as_admin, exam, cadre)
    first = _sitting(exam, cadre)
    code, questions = first.paper_code, [aq.question_id for aq in first.questions]
    _print(as_admin, exam, cadre)
    again = db.session.scalars(sa.select(Attempt).where(Attempt.user_id == cadre.id)).all()
    assert len(again) == 1
    assert again[0].paper_code == code and [aq.question_id for aq in again[0].questions] == (
        questions
    )
    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert "exam.paper_printed" in actions and "exam.paper_reprinted" in actions


def test_a_person_not_enrolled_gets_no_paper(as_admin, exam, make_user, tree):
    stranger = make_user("王五", tree["village"])
    response = _print(as_admin, exam, stranger)
    assert response.status_code == 302
    assert "不在应考名单中" in text(as_admin.get(response.headers["Location"]))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0


def test_the_person_cannot_answer_their_paper_online(client, login, as_admin, exam, cadre):
    _print(as_admin, exam, cadre)
    sitting = _sitting(exam, cadre)
    client.post("/logout")
    login(cadre)
    assert client.post(f"/exams/attempts/{sitting.id}/opened").status_code == 404
    submit = client.post(f"/exams/attempts/{sitting.id}/submit")
    assert submit.status_code == 404
    assert _sitting(exam, cadre).status is AttemptStatus.IN_PROGRESS
    assert "继续作答" not in text(client.get("/exams/"))


# ---------------------------------------------------------------- typing the answers in


def test_typed_answers_score_as_the_same_answers_online(
    client, login, as_admin, exam, cadre, other
):
    _print(as_admin, exam, cadre)
    sitting = _sitting(exam, cadre)
    right = {1, 2, 5, 7}  # two 单选, one 多选, one 判断: 10 + 10 + 15 + 10
    answers = _shown_answers(sitting, right)
    response = _enter(
        as_admin, exam, sitting.paper_code, " ".join(_judge_symbols(sitting, answers))
    )
    assert response.status_code == 302

    sitting = _sitting(exam, cadre)
    assert sitting.status is AttemptStatus.SUBMITTED and sitting.score == Decimal(45)
    assert sitting.passed is False
    assert [
        grading.canonical_to_shown(aq.response, aq.option_order) for aq in sitting.questions
    ] == [grading.normalise_letters(a) for a in answers]
    flashed = text(as_admin.get(response.headers["Location"]))
    assert f"已录入试卷{sitting.paper_code}（冉晓丽）：45分，未通过" in flashed

    # The same answers, position by position, given online by another person.
    client.post("/logout")
    login(other)
    online = begin(client, exam)
    form = {"answers_in_form": "1"}
    for aq, shown in zip(online.questions, _shown_answers(online, right), strict=True):
        form[f"q{aq.position}"] = list(shown)
    client.post(f"/exams/attempts/{online.id}/submit", data=form)
    db.session.expire_all()
    assert db.session.get(Attempt, online.id).score == sitting.score

    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "exam.paper_entered"))
    assert entry.detail.startswith(sitting.paper_code) and "45" in entry.detail


def test_the_compact_form_with_brackets_reads_the_same(as_admin, exam, cadre):
    _print(as_admin, exam, cadre)
    sitting = _sitting(exam, cadre)
    answers = _judge_symbols(sitting, [key_shown(aq) for aq in sitting.questions])
    compact = "".join(f"({a})" if len(a) > 1 else a for a in answers)
    assert _enter(as_admin, exam, sitting.paper_code.lower(), compact).status_code == 302
    assert _sitting(exam, cadre).score == Decimal(100)
    again = _enter(as_admin, exam, sitting.paper_code, compact)
    assert again.status_code == 400 and "不能重复录入" in text(again)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a[:-1], "录入了8个答案，这份试卷有9题"),
        (lambda a: ["E", *a[1:]], "第1题：该题只有A–D四个选项，没有“E”"),
        (lambda a: ["AB", *a[1:]], "第1题：单选题只能有一个答案"),
        (lambda a: ["√", *a[1:]], "第1题：该题不是判断题"),
        (lambda a: [*a[:6], "C", *a[7:]], "第7题：判断题请填 √（正确）或 ×（错误）"),
        (lambda a: [*a[:4], "AA", *a[5:]], "第5题：同一个选项写了两次"),
    ],
)
def test_a_typo_is_refused_with_its_position_and_nothing_is_saved(
    as_admin, exam, cadre, change, message
):
    _print(as_admin, exam, cadre)
    sitting = _sitting(exam, cadre)
    answers = [key_shown(aq) for aq in sitting.questions]
    response = _enter(as_admin, exam, sitting.paper_code, " ".join(change(answers)))
    assert response.status_code == 400
    html = text(response)
    assert message in html
    assert sitting.paper_code in html  # the form keeps what was typed, to correct it
    after = _sitting(exam, cadre)
    assert after.status is AttemptStatus.IN_PROGRESS and after.score is None
    assert all(aq.response == "" and aq.version == 0 for aq in after.questions)
    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert "exam.paper_entered" not in actions


def test_an_unknown_code_is_refused(as_admin, exam, cadre):
    response = _enter(as_admin, exam, f"{exam.id}-XXXXX", "A")
    assert response.status_code == 400 and "没有编号为" in text(response)


def test_split_answers_reads_both_forms():
    split = paper_sittings.split_answers
    assert split("A c AB √ × -") == ["A", "C", "AB", "√", "×", "-"]
    assert split("A，C、[AB]；对 错") == ["A", "C", "AB", "对", "错"]
    assert split("ＡC(AB)√×-") == ["A", "C", "AB", "√", "×", "-"]
    with pytest.raises(ExamError, match="第3题：括号没有配对"):
        split("AC(AB√×")


# ---------------------------------------------------------------- figures, lists, monitor


def test_a_paper_sitting_counts_in_the_figures_and_shows_in_the_lists(
    as_admin, exam, cadre, tree, admin
):
    exam_tally.refresh_exam(exam.id)  # as publishing does (the fixture inserts rows)
    db.session.commit()
    _print(as_admin, exam, cadre)
    sitting = _sitting(exam, cadre)
    answers = _judge_symbols(sitting, [key_shown(aq) for aq in sitting.questions])
    _enter(as_admin, exam, sitting.paper_code, ",".join(answers))

    for live in (False, True):  # the tally kept on entry, and the source rows
        report = queries.exam_report(exam, tree["town"], user=None, now=utcnow(), live=live)
        assert (report.total.enrolled, report.total.sat, report.total.passed) == (2, 1, 1)
    dashboard = text(as_admin.get(f"/stats/exams/{exam.id}"))
    assert re.search(r"<dt>参考率</dt><dd>50%</dd>", dashboard)
    assert re.search(r"<dt>通过率</dt><dd>100%", dashboard)

    names = text(as_admin.get(f"/stats/exams/{exam.id}/names/sat"))
    row = names.split("冉晓丽")[1].split("</tr>")[0]
    assert "纸质作答" in row
    assert "李四" not in names

    monitor = text(as_admin.get(f"/admin/exams/{exam.id}/monitor"))
    row = monitor.split("冉晓丽")[1].split("</tr>")[0]
    assert "纸质作答" in row and "通过" in row
    assert "纸质作答" not in monitor.split("李四")[1].split("</tr>")[0]


# ---------------------------------------------------------------- who may


def test_another_towns_admin_cannot_print_or_enter(client, login, make_user, tree, exam, cadre):
    stranger = make_user("宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    login(stranger)
    assert client.get(f"/admin/exams/{exam.id}/paper").status_code == 404
    assert _print(client, exam, cadre).status_code == 404
    assert client.get(f"/admin/exams/{exam.id}/paper/sheets?a=1").status_code == 404
    assert _enter(client, exam, f"{exam.id}-AAAAA", "A").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0


def test_a_unit_admin_cannot_print(client, login, unit_admin, exam, cadre):
    login(unit_admin)
    assert client.get(f"/admin/exams/{exam.id}/paper").status_code in (403, 404)
    assert _print(client, exam, cadre).status_code in (403, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0


def test_the_services_check_the_actor(exam, cadre, unit_admin):
    with pytest.raises(PermissionDenied):
        paper_sittings.print_papers(exam, [cadre.id], actor=Actor(user=unit_admin), now=utcnow())


def test_a_draft_exam_has_nothing_to_print(as_admin, make_exam, bank, cadre):
    draft = make_exam(fixed=[(bank[QuestionType.SINGLE][0], 10)], status=ExamStatus.DRAFT)
    html = text(as_admin.get(f"/admin/exams/{draft.id}/paper"))
    assert "只有已发布的正式考试和补考可以打印纸质试卷" in html and "打印所选人员" not in html
    response = _print(as_admin, draft, cadre)
    assert "考试发布后才能打印纸质试卷" in text(as_admin.get(response.headers["Location"]))


# ---------------------------------------------------------------- correcting an entry


def _correct(client, exam, code, answers, reason="第1题录错"):
    return client.post(
        f"/admin/exams/{exam.id}/paper/correct",
        data={"fix-code": code, "fix-answers": answers, "fix-reason": reason},
    )


def _typed_in(as_admin, exam, cadre, right):
    exam_tally.refresh_exam(exam.id)  # as publishing does (the fixture inserts rows)
    db.session.commit()
    _print(as_admin, exam, cadre)
    sitting = _sitting(exam, cadre)
    answers = _judge_symbols(sitting, _shown_answers(sitting, right))
    assert _enter(as_admin, exam, sitting.paper_code, " ".join(answers)).status_code == 302
    return _sitting(exam, cadre)


def _town_sat_passed(exam, tree):
    for live in (False, True):  # the tally and the source rows agree
        total = queries.exam_report(exam, tree["town"], user=None, now=utcnow(), live=live).total
        yield total.sat, total.passed


def test_a_typed_in_string_is_corrected_with_a_reason_regraded_and_audited(
    as_admin, exam, cadre, tree
):
    sitting = _typed_in(as_admin, exam, cadre, right={1, 2, 5, 7})  # 45: 未通过
    assert set(_town_sat_passed(exam, tree)) == {(1, 0)}
    code, entered_at = sitting.paper_code, sitting.finished_at
    everything = _judge_symbols(sitting, [key_shown(aq) for aq in sitting.questions])

    response = _correct(as_admin, exam, code.lower(), " ".join(everything), "原卷第3、4题看错")
    assert response.status_code == 302
    flashed = text(as_admin.get(response.headers["Location"]))
    assert f"已更正试卷{code}（冉晓丽）的答案：45分 → 100分，通过" in flashed
    after = _sitting(exam, cadre)
    assert (after.score, after.passed, after.status) == (Decimal(100), True, sitting.status)
    assert after.finished_at == entered_at  # the sitting's time stays the entry's
    assert set(_town_sat_passed(exam, tree)) == {(1, 1)}  # the figures follow

    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "exam.paper_corrected"))
    assert entry.detail.startswith(f"{code} 冉晓丽 第3题")
    assert "得分45→100；原因：原卷第3、4题看错" in entry.detail
    # The inspection pack's ledger of what was done by hand lists it.
    (ledger,) = [s for s in ledgers.sheets(exam.year, tree["town"], utcnow()) if "纸质" in s.name]
    assert [row[3:] for row in ledger.rows] == [["更正纸质试卷答案", exam.title, entry.detail]]


def test_a_correction_needs_a_reason_a_typed_in_paper_and_a_change(as_admin, exam, cadre):
    _print(as_admin, exam, cadre)
    waiting = _sitting(exam, cadre)
    answers = " ".join(_judge_symbols(waiting, [key_shown(aq) for aq in waiting.questions]))
    response = _correct(as_admin, exam, waiting.paper_code, answers)
    assert response.status_code == 400 and "还没有录入" in text(response)

    _enter(as_admin, exam, waiting.paper_code, answers)
    no_reason = _correct(as_admin, exam, waiting.paper_code, answers, reason="  ")
    assert no_reason.status_code == 400 and "请填写更正原因" in text(no_reason)
    same = _correct(as_admin, exam, waiting.paper_code, answers)
    assert same.status_code == 400 and "没有更正" in text(same)
    typo = _correct(as_admin, exam, waiting.paper_code, "E" + answers[1:])
    assert typo.status_code == 400 and "第1题：该题只有A–D四个选项" in text(typo)
    assert _sitting(exam, cadre).score == Decimal(100)
    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert "exam.paper_corrected" not in actions


def test_another_towns_admin_cannot_correct(client, login, make_user, tree, exam, cadre):
    stranger = make_user("宝顶管理员", tree["other_town"], roles=[(Role.ADMIN, tree["other_town"])])
    login(stranger)
    assert _correct(client, exam, f"{exam.id}-AAAAA", "A").status_code == 404


# ---------------------------------------------------------------- a paper is a try


def test_a_printed_paper_uses_a_try_so_the_person_cannot_also_start_online(
    client, login, as_admin, exam, cadre
):
    assert exam.max_attempts == 1
    _print(as_admin, exam, cadre)
    client.post("/logout")
    login(cadre)
    listed = text(client.get("/exams/"))
    assert "纸质试卷待录入" in listed and "开始考试" not in listed
    response = client.post(f"/exams/{exam.id}/start", follow_redirects=True)
    assert "纸质试卷计入考试次数，考试次数已用完，不能再在线作答" in text(response)
    count = sa.select(sa.func.count()).select_from(Attempt).where(Attempt.user_id == cadre.id)
    assert db.session.scalar(count) == 1


def test_with_tries_left_a_printed_paper_still_leaves_one_online(
    client, login, as_admin, exam, cadre
):
    exam.max_attempts = 2
    db.session.commit()
    _print(as_admin, exam, cadre)
    client.post("/logout")
    login(cadre)
    assert "剩余1次机会" in text(client.get("/exams/"))
    online = begin(client, exam)
    assert online.mode is AttemptMode.ONLINE and online.number == 2


def test_a_person_with_an_online_attempt_open_gets_no_paper_beyond_the_tries(exam, cadre, admin):
    attempts.start_attempt(exam, cadre, utcnow())
    db.session.commit()
    with pytest.raises(ExamError, match="冉晓丽的考试次数已用完"):
        paper_sittings.print_papers(exam, [cadre.id], actor=Actor(user=admin), now=utcnow())
