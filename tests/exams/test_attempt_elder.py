"""The attempt page in 长辈模式: the same one form (every question, one 交卷) for a
browser without JavaScript, the 上一题 / 下一题 pager for exam.js to show, and the fast
path's cost unchanged: the mode comes from a cookie, not from the person."""

import re

from tests.conftest import statements_for
from tests.exams.taking import begin, last_seen
from yongxi_learn.auth.elder import ELDER_COOKIE, ON


def _page(html: str) -> str:
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    return re.sub(r'data-remaining="\d+"|<strong id="exam-remaining"[^<]*<', "", html)


def test_the_page_in_elder_mode_is_still_one_form(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    client.set_cookie(ELDER_COOKIE, ON)
    html = client.get(f"/exams/attempts/{attempt.id}").text
    assert '<html lang="zh-CN" class="elder">' in html
    form = html[html.index('<form method="post" action="/exams/attempts/') :]
    form = form[: form.index("</form>")]
    assert form.count('<fieldset class="question"') == len(attempt.questions)
    assert form.count('type="submit"') == 2  # 交卷 in the bar and at the end
    # The pager shows only with the script; its buttons never submit the form.
    assert '<div class="q-pager" id="q-pager" hidden>' in form
    assert re.findall(r'<button type="button"[^>]*>(上一题|下一题)</button>', form) == [
        "上一题",
        "下一题",
    ]


def test_the_fast_and_full_path_agree_in_elder_mode(client, login, cadre, exam):
    login(cadre)
    attempt = begin(client, exam)
    client.set_cookie(ELDER_COOKIE, ON)
    url = f"/exams/attempts/{attempt.id}"
    last_seen(minutes_ago=5)
    full = client.get(url)
    fast = client.get(url)
    assert _page(fast.text) == _page(full.text)
    assert 'class="elder"' in fast.text


def test_elder_mode_costs_the_attempt_page_no_statement(client, login, cadre, exam):
    login(cadre)
    url = f"/exams/attempts/{begin(client, exam).id}"
    client.get(url)  # the questions' texts cached
    normal = statements_for(client, url)
    client.set_cookie(ELDER_COOKIE, ON)
    assert statements_for(client, url) == normal
