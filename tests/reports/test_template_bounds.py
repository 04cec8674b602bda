"""An admin's report template cannot exhaust the server (issue #22): rendering is bounded
in time and size, a template is tried against every year with data before it is saved,
and one that fails when a draft is viewed shows an error there, never a 500."""

import signal
import time

import pytest
import sqlalchemy as sa

from yongxi_learn.core.time import utcnow
from yongxi_learn.extensions import db
from yongxi_learn.org.services import Actor
from yongxi_learn.reports import render, services
from yongxi_learn.reports.models import ReportTemplate, ReportVersion
from yongxi_learn.reports.render import Figure, TemplateRefused

LOOPS = (
    "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
    "{% endfor %}{% endfor %}{% endfor %}"
)
PAYLOADS = {
    "nested loops": LOOPS,
    "repetition": "{{ 'x' * 10**8 }}",
    "list repetition": "{{ ([1] * 10**8)|length }}",
    "power tower": "{{ 10**10**10 }}",
    "power": "{{ 7 ** 100000 }}",
    "huge range": "{% for i in range(10**9) %}{% endfor %}",
    "include": "{% include 'x' %}",
    "import": "{% import 'x' as m %}",
    "extends": "{% extends 'x' %}",
    "doubling": (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s|length }}"
    ),
    "doubling by +": (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
        "{% endfor %}{{ ns.s|length }}"
    ),
    "nested lists": (
        "{% set ns = namespace(l=['x' * 1000]) %}{% for i in range(30) %}"
        "{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l }}"
    ),
    "exponential macro": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}"
    ),
    "much output": "{% for i in range(1000) %}{{ 'x' * 5000 }}{% endfor %}",
    "printf padding": "{{ '%0*d' % (10**9, 1) }}",
    "padding filter": "{{ 'x'|center(10**9) }}",
    "lipsum": "{{ lipsum(10**6) }}",
    "deep recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "division by zero": "{{ 1 / 0 }}",
}


class _Hung(BaseException):
    """Not an Exception: the code under test must not be able to swallow it."""


@pytest.fixture
def guard():
    """A safety net should a bound regress: a Python-level hang fails the test after
    20 s instead of stalling the run (a single huge C-level operation cannot be
    interrupted; the bounds keep those from starting)."""

    def hung(signum, frame):
        raise _Hung("the template ran for more than 20 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("source", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_costly_template_is_refused_within_two_seconds(guard, source):
    started = time.monotonic()
    with pytest.raises(TemplateRefused):
        render.render(source, {"year": 2024})
    assert time.monotonic() - started < 2


def test_what_a_report_needs_still_works():
    source = (
        "{% set ordinals = ['一', '二', '三'] %}{% for o in ordinals %}{{ o }}{% endfor %}"
        "{{ '—' * 3 }}{{ 2 ** 10 }}{{ 3 * 4 }}{{ 'a' + 'b' }}{{ [1, 2] + [3] }}"
        "{{ range(3)|join('、') }}{{ 7 % 3 }}{{ 207|approx }}{{ n ~ '人' }}"
    )
    out = render.render(source, {"n": Figure("k", "人数", "5")})
    assert out.text == "一二三———102412ab[1, 2, 3]0、1、21200余5人"
    assert [f.key for f in out.figures] == []  # "n ~ '人'" is text, not the figure


def test_the_default_template_renders_well_within_the_bounds(ctx, scenario, admin, tree):
    context = services.figures.context(2024, tree["town"], user=None, now=utcnow())
    started = time.monotonic()
    render.render(services.DEFAULT_TEMPLATE, context)
    assert time.monotonic() - started < 0.2


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_a_payload_for_another_year_is_refused_at_save(ctx, guard, scenario, admin, tree):
    # Editing in 2025, with records only in 2024: the payload runs only for 2024.
    source = "{{ year }}{% if year == 2024 %}" + LOOPS + "{% endif %}"
    started = time.monotonic()
    with pytest.raises(services.ReportError, match="2024年"):
        services.set_template(tree["town"], source, actor=Actor(admin), year=2025, now=utcnow())
    assert time.monotonic() - started < 5
    assert db.session.scalar(sa.select(ReportTemplate)) is None


def test_an_include_for_another_year_is_refused_at_save(ctx, scenario, admin, tree):
    source = "{{ year }}{% if year == 2024 %}{% include 'x' %}{% endif %}"
    with pytest.raises(services.ReportError, match="不能引用其他模板"):
        services.set_template(tree["town"], source, actor=Actor(admin), year=2025, now=utcnow())


def test_a_template_failing_in_a_year_without_records_is_refused(ctx, scenario, admin, tree):
    # 2024 has the exam; a year without one has exam=None, and this would fail there.
    with pytest.raises(services.ReportError, match="没有记录的年度"):
        services.set_template(
            tree["town"], "{{ exam.title }}", actor=Actor(admin), year=2024, now=utcnow()
        )


def _stored_template(app, admin, tree, source):
    """A draft, then a template stored as it might have been before the bounds."""
    with app.test_request_context():
        version = services.draft(2024, tree["town"], actor=Actor(admin), now=utcnow())
        db.session.add(ReportTemplate(unit_id=tree["town"].id, text=source))
        db.session.commit()
        return version.draft_id


@pytest.mark.parametrize(
    "source",
    [LOOPS, "{% include 'x' %}", "{{ range(10**9)|length }}"],
    ids=["loops", "include", "range"],
)
def test_a_failing_template_shows_an_error_on_the_draft_not_a_500(
    app, client, login, guard, scenario, admin, reviewer, tree, source
):
    draft_id = _stored_template(app, admin, tree, source)
    for user in (reviewer, admin):
        login(user)
        started = time.monotonic()
        response = client.get(f"/admin/reports/{draft_id}")
        assert time.monotonic() - started < 2
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "请修改或恢复报告模板" in page and 'class="alert alert-danger"' in page
        client.post("/logout")
    # The file is still downloaded, marked as not checked against the records.
    login(admin)
    response = client.get(f"/admin/reports/{draft_id}/download.txt")
    assert response.status_code == 200
    assert "未能与当前记录核对" in response.get_data(as_text=True)
    # Drafting again says why it cannot, on the page.
    response = client.post(f"/admin/reports/{draft_id}/redraft", follow_redirects=True)
    assert response.status_code == 200 and "请修改或恢复报告模板" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ReportVersion.id))) == 1


def test_the_template_page_refuses_a_payload_for_another_year(client, login, scenario, admin, tree):
    login(admin)
    source = "{{ year }}{% if year == 2024 %}{% for i in range(10**9) %}{% endfor %}{% endif %}"
    response = client.post(f"/admin/reports/template?unit={tree['town'].id}", data={"text": source})
    assert response.status_code == 200
    assert "按2024年的数字试排时：range()最多1000个数" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(ReportTemplate)) is None
