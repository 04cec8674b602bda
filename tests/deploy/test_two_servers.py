"""Two app servers (two gunicorns, 2 workers each) on one PostgreSQL and one Redis, as
nginx's upstream in docs/deploy.md runs them: one examinee's requests alternate between
them — login on A, the exam started on B, answers saved on both (some at once), 交卷
on A, the result on B — and nothing is lost, the login and the CSRF token hold on both,
a logout on one ends the login on the other, and the login limits count the attempts
made on both together."""

import copy
import json
import re
import threading
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.deploy.conftest import ON_POSTGRESQL
from tests.exams.paper_fixtures import make_exam, make_questions
from tests.gunicorn_server import Browser, running_gunicorn
from yongxi_learn.core.formatting import format_score
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.grading import canonical_to_shown
from yongxi_learn.exams.models import Attempt, AttemptStatus, QuestionType, ReviewPolicy
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org.audit import AuditLog
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import Actor

pytestmark = pytest.mark.skipif(not ON_POSTGRESQL, reason="a district runs on PostgreSQL")

RATE_LIMIT = 8  # wrong logins a day from one address, counted in Redis
LOCK_AFTER = 5  # wrong passwords for one phone from one address lock it (the default)
PAGE_KEY = "multiserver0page1"  # exam.js's key of the page, sent with every save
_addresses = count(1)


@pytest.fixture(scope="module")
def servers(db_url, redis_url, tmp_path_factory):
    env = {
        "RATELIMIT_STORAGE_URI": redis_url,
        "LOGIN_RATE_LIMIT": f"{RATE_LIMIT} per day",  # per day: no window rolls over mid-test
        "LOGIN_LOCK_THRESHOLD": str(LOCK_AFTER),
        "PROXY_FIX_X_FOR": "1",  # behind nginx: each browser here has an address of its own
    }
    with (
        running_gunicorn(db_url, tmp_path_factory.mktemp("a"), **env) as a,
        running_gunicorn(db_url, tmp_path_factory.mktemp("b"), **env) as b,
    ):
        yield a, b


def browser(server) -> Browser:
    """A browser with an address of its own, behind the proxy."""
    return Browser(server.url, {"X-Forwarded-For": f"10.0.{next(_addresses)}.1"})


def on(server, who: Browser) -> Browser:
    """The same browser (its cookies, its CSRF token) sent to ``server``: what nginx
    does when it hands the next request to another app server."""
    who.base_url = server.url
    return who


def copy_of(who: Browser, server) -> Browser:
    """A second browser holding the same cookies (another tab, or a copied cookie)."""
    other = Browser(server.url, dict(who.headers))
    for cookie in who.cookies:
        other.cookies.set_cookie(copy.copy(cookie))
    other.csrf = who.csrf
    return other


@pytest.fixture
def examinee(make_user, tree):
    return make_user("冉两台", tree["village"], category=Category.VILLAGE_CADRE)


@pytest.fixture
def published_exam(tree, admin, examinee):
    """A 100-point paper drawn by rules (4 单选 × 10, 2 多选 × 15, 3 判断 × 10) for
    雍溪村's village cadres, made and published through the exam services."""
    town = tree["town"]
    make_questions(town, QuestionType.SINGLE, 6)
    make_questions(town, QuestionType.MULTI, 3)
    make_questions(town, QuestionType.JUDGE, 4)
    now = utcnow()
    exam = make_exam(
        town,
        admin,
        audience={"units": [tree["village"].id]},
        rules=[
            papers.RuleSpec(QuestionType.SINGLE, 4, Decimal(10)),
            papers.RuleSpec(QuestionType.MULTI, 2, Decimal(15)),
            papers.RuleSpec(QuestionType.JUDGE, 3, Decimal(10)),
        ],
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        max_attempts=1,
        pass_score=Decimal(60),
        review_policy=ReviewPolicy.IMMEDIATE,
    )
    papers.publish(exam, actor=Actor(user=admin), now=now)
    db.session.commit()
    return exam


def keys_shown(attempt_id: int) -> dict[int, tuple[str, QuestionType, Decimal]]:
    """position -> (the key as the page shows the letters, the type, the score)."""
    attempt = db.session.get(Attempt, attempt_id)
    shown = {
        aq.position: (
            canonical_to_shown(aq.question.answer, aq.option_order),
            aq.question.type,
            aq.score,
        )
        for aq in attempt.questions
    }
    db.session.commit()  # the test's reads hold nothing while the servers write
    return shown


def wrong(key: str, qtype: QuestionType) -> str:
    if qtype is QuestionType.MULTI:
        return "ABCD"  # every option: never a two-letter key
    return next(letter for letter in "ABCD" if letter != key)


def save(who: Browser, attempt_id: int, position: int, answer: str, base: int, n: int):
    """One save as exam.js sends it (static/js/exam.js ``send``)."""
    body = {"position": position, "answer": answer, "base": base, "age": 0}
    body |= {"page": PAGE_KEY, "n": n}
    return who.post(f"/exams/attempts/{attempt_id}/answer", json_body=body)


def test_one_examinee_alternating_between_two_servers(servers, examinee, published_exam):
    a, b = servers
    person = examinee
    exam_id, phone = published_exam.id, person.phone
    db.session.commit()

    # Login on A; the login cookie it sets is good on B.
    me = browser(a)
    assert me.log_in(phone, PASSWORD).status == 302
    notice = on(b, me).get(f"/exams/{exam_id}/start")  # 考试须知, on B
    assert notice.status == 200 and "开始答题" in notice.text
    started = me.post(f"/exams/{exam_id}/start", form={})  # 开始答题, B, with B's token
    assert started.status == 302, started.text[:500]
    attempt_id = int(re.search(r"/attempts/(\d+)$", started.location).group(1))
    page = on(a, me).get(f"/exams/attempts/{attempt_id}")  # the exam page, on A
    assert page.status == 200 and 'id="exam-form"' in page.text
    keys = keys_shown(attempt_id)
    assert len(keys) == 9
    versions = {int(p): int(v) for p, v in re.findall(r'name="v(\d+)" value="(\d+)"', page.text)}
    assert versions == dict.fromkeys(keys, 0)

    # First answers, wrong, alternating A/B (one page: its token from A serves B too).
    saves = count(1)
    for position, (key, qtype, _) in keys.items():
        server = a if position % 2 else b
        reply = save(on(server, me), attempt_id, position, wrong(key, qtype), 0, next(saves))
        assert reply.status == 200, reply.text
        versions[position] = _json(reply)["version"]
    # Then the answers changed, each on the other server, all at once: positions 8 and
    # 9 stay wrong, the rest become right.
    final = {p: key if p <= 7 else wrong(key, qtype) for p, (key, qtype, _) in keys.items()}
    replies = {}

    def change(position):
        other = copy_of(me, b if position % 2 else a)
        replies[position] = save(
            other, attempt_id, position, final[position], versions[position], next(saves)
        )

    threads = [threading.Thread(target=change, args=(p,)) for p in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for position, reply in replies.items():
        assert reply.status == 200, reply.text
        data = _json(reply)
        assert data["applied"] and data["answer"] == final[position]
        versions[position] = data["version"]
    answer_url = f"/exams/attempts/{attempt_id}/answer"
    assert a.answered_by("POST", answer_url) and b.answered_by("POST", answer_url)

    # What B reads back is every answer as saved, whichever server saved it.
    held = _json(on(b, me).get(f"/exams/attempts/{attempt_id}/answers"))["answers"]
    assert {int(p): v["answer"] for p, v in held.items()} == final
    assert {int(p): v["version"] for p, v in held.items()} == versions

    # The CSRF token of the page is checked on both; a forged one is refused on both.
    token = me.csrf
    for server in (a, b):
        me.csrf = "forged-token"
        refused = save(on(server, me), attempt_id, 1, wrong(*keys[1][:2]), versions[1], 99)
        assert refused.status == 400 and _json(refused)["reason"] == "csrf"
    me.csrf = token

    # 交卷 on A (the page's form: every answer as shown and the version it saw) ...
    form = {"answers_in_form": "1"}
    form |= {f"q{p}": list(answer) for p, answer in final.items()}  # a checkbox each
    form |= {f"v{p}": str(v) for p, v in versions.items()}
    handed_in = on(a, me).post(f"/exams/attempts/{attempt_id}/submit", form=form)
    assert handed_in.status == 302, handed_in.text[:500]
    assert handed_in.location.endswith(f"/exams/attempts/{attempt_id}/result")
    # ... a double click reaching B changes nothing ...
    again = on(b, me).post(f"/exams/attempts/{attempt_id}/submit", form=form)
    assert again.status == 302 and again.location.endswith("/result")
    # ... and a save arriving late at B is refused: the attempt is handed in.
    late = save(me, attempt_id, 9, keys[9][0], versions[9], next(saves))
    assert late.status == 409 and _json(late)["reason"] == "submitted"

    # The graded attempt holds every answer saved, the score is the right one, and the
    # result page on B says so.
    expected = sum(score for p, (_, _, score) in keys.items() if p <= 7)
    assert Decimal(70) <= expected <= Decimal(80)  # which two are wrong: the draw decides
    db.session.expire_all()
    attempts = db.session.scalars(sa.select(Attempt).where(Attempt.user_id == person.id)).all()
    assert len(attempts) == 1
    attempt = attempts[0]
    assert attempt.status is AttemptStatus.SUBMITTED
    assert attempt.score == expected and attempt.max_score == Decimal(100) and attempt.passed
    stored = {
        aq.position: canonical_to_shown(aq.response, aq.option_order) for aq in attempt.questions
    }
    assert stored == final
    assert {aq.position: aq.version for aq in attempt.questions} == versions
    assert [aq.correct for aq in attempt.questions] == [True] * 7 + [False] * 2
    db.session.commit()
    result = on(b, me).get(f"/exams/attempts/{attempt_id}/result")
    assert result.status == 200
    assert f'<strong id="result-score">{format_score(expected)}</strong> / 100' in result.text
    assert "已通过" in result.text

    # A copy of the login cookie (another tab) works on A; a logout on B ends it there.
    tab = copy_of(me, a)
    assert tab.get("/exams/").status == 200
    assert on(b, me).post("/logout", form={}).status == 302
    for server in (a, b):
        gone = on(server, tab).get("/exams/")
        assert gone.status == 302 and "/login" in gone.location
        lost = save(tab, attempt_id, 1, "A", versions[1], 100)
        assert lost.status == 401 and _json(lost)["reason"] == "login"


def test_the_login_rate_limit_counts_both_servers_together(servers):
    a, b = servers
    attacker = browser(a)
    statuses = []
    for i in range(2 * RATE_LIMIT):
        # Unknown numbers, one each: no account lock comes into it, only the address.
        page = on((a, b)[i % 2], attacker).log_in(f"1990000{i:04d}", "WrongPass999")
        statuses.append(page.status)
    # Alone, each server would have let 8 through; one counter in Redis lets 8 in all.
    assert statuses == [200] * RATE_LIMIT + [429] * RATE_LIMIT
    # Another address has its own allowance, on either server.
    assert browser(b).log_in("19900009999", "WrongPass999").status == 200


def test_the_lockout_counts_wrong_passwords_on_both_servers(servers, make_user, tree):
    a, b = servers
    phone = make_user("王两台", tree["office"]).phone
    db.session.commit()
    address = {"X-Forwarded-For": f"10.0.{next(_addresses)}.1"}
    for i in range(LOCK_AFTER):  # A, B, A, B, A: the fifth locks
        page = Browser((a, b)[i % 2].url, address).log_in(phone, "WrongPass999")
        assert page.status == 200
        assert ("账号已临时锁定" in page.text) == (i == LOCK_AFTER - 1)
    assert _lockouts() == 1
    for server in (a, b):  # the right password is refused now, on either server
        page = Browser(server.url, address).log_in(phone, PASSWORD)
        assert page.status == 200 and "账号已临时锁定" in page.text
    # The lock is on that address: the owner's own phone elsewhere gets in.
    assert browser(b).log_in(phone, PASSWORD).status == 302


def _lockouts() -> int:
    found = db.session.scalar(
        sa.select(sa.func.count()).where(AuditLog.action == "lockout", AuditLog.result == "locked")
    )
    db.session.commit()
    return found


def _json(reply) -> dict:
    return json.loads(reply.text)
