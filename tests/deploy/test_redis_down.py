"""Redis holds only the login limits' counters (``RATELIMIT_STORAGE_URI=redis://…``):
while it is down a login cannot be counted, so it is refused with a 503 page saying so (the
limit is never skipped), and the people already logged in carry on — their exam's
saves, 交卷 and pages never touch Redis. When Redis is back, logins work again without
restarting the app servers. docs/deploy.md says the same."""

import contextlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from tests.deploy.conftest import ON_POSTGRESQL, need
from tests.exams.paper_fixtures import make_exam, make_questions
from tests.gunicorn_server import (
    GUNICORN,
    REDIS_SERVER,
    Browser,
    free_port,
    running_gunicorn,
    running_redis,
)
from yongxi_learn.core.time import utcnow
from yongxi_learn.exams.models import QuestionType
from yongxi_learn.exams.papers import services as papers
from yongxi_learn.extensions import db
from yongxi_learn.org.models import Category
from yongxi_learn.org.services import Actor

pytestmark = pytest.mark.skipif(not ON_POSTGRESQL, reason="a district runs on PostgreSQL")


def test_logins_wait_for_redis_and_the_exam_goes_on(db_url, tmp_path, make_user, tree, admin):
    need(GUNICORN, "gunicorn")
    need(REDIS_SERVER, "redis-server")
    person = make_user("冉无缓存", tree["village"], category=Category.VILLAGE_CADRE)
    latecomer = make_user("晚到者", tree["village"], category=Category.VILLAGE_CADRE)
    make_questions(tree["town"], QuestionType.SINGLE, 3)
    now = utcnow()
    exam = make_exam(
        tree["town"],
        admin,
        audience={"units": [tree["village"].id]},
        rules=[papers.RuleSpec(QuestionType.SINGLE, 3, Decimal(10))],
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        pass_score=Decimal(10),
    )
    papers.publish(exam, actor=Actor(user=admin), now=now)
    db.session.commit()
    exam_id = exam.id

    port = free_port()
    with contextlib.ExitStack() as cleanup:
        first_redis = cleanup.enter_context(contextlib.ExitStack())
        url = first_redis.enter_context(running_redis(port))
        env = {"RATELIMIT_STORAGE_URI": url, "PROXY_FIX_X_FOR": "1"}
        server = cleanup.enter_context(running_gunicorn(db_url, tmp_path, **env))
        me = Browser(server.url, {"X-Forwarded-For": "10.1.0.1"})
        assert me.log_in(person.phone, PASSWORD).status == 302
        me.get(f"/exams/{exam_id}/start")
        started = me.post(f"/exams/{exam_id}/start", form={})
        attempt_id = int(re.search(r"/attempts/(\d+)$", started.location).group(1))
        assert me.get(f"/exams/attempts/{attempt_id}").status == 200
        answer = f"/exams/attempts/{attempt_id}/answer"
        assert me.post(answer, json_body={"position": 1, "answer": "A"}).status == 200

        first_redis.close()  # Redis goes down
        late = Browser(server.url, {"X-Forwarded-For": "10.1.0.2"})
        assert late.get("/login").status == 200
        refused = late.log_in(latecomer.phone, PASSWORD)
        assert refused.status == 503 and "登录次数的计数服务暂时无法连接" in refused.text
        # The examinee already in carries on: saves, the page, 交卷, the result.
        assert me.post(answer, json_body={"position": 2, "answer": "B"}).status == 200
        assert me.get(f"/exams/attempts/{attempt_id}").status == 200
        handed_in = me.post(f"/exams/attempts/{attempt_id}/submit", form={})
        assert handed_in.status == 302 and handed_in.location.endswith("/result")
        assert me.get(f"/exams/attempts/{attempt_id}/result").status == 200

        cleanup.enter_context(running_redis(port))  # back, same address: no app restart
        assert late.log_in(latecomer.phone, PASSWORD).status == 302
