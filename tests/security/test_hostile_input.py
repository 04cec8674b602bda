"""Out-of-range input (huge numbers, negative years, dates before the calendar, very
long search text) answers 400 or 404 with a Chinese message, never a 500 or the
database's 503. Every GET route of ``app.url_map`` is swept, so a new one is too."""

import pytest
from werkzeug.routing import IntegerConverter

from yongxi_learn.org.models import Role

HUGE = 10**20
INT4_PAST = 2**31  # one past PostgreSQL's integer
BAD_ARGS = {
    "page": HUGE,
    "year": -1,
    "unit": HUGE,
    "kind": HUGE,
    "category": HUGE,
    "since": "0001-01-01",
    "until": "9999-12-31",
    "version": HUGE,
    "table": HUGE,
    "article": HUGE,
    "part": HUGE,
}


@pytest.fixture
def as_root(client, login, make_user, tree):
    """An admin of the whole district: every admin page is open to them."""
    login(make_user("区管理员", tree["district"], roles=[(Role.ADMIN, tree["district"])]))
    return client


def _urls(app, number, *, with_ids=False):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        ids = [c for c in rule._converters.values() if isinstance(c, IntegerConverter)]
        if with_ids and not ids:
            continue
        values = {
            name: number if isinstance(conv, IntegerConverter) else "xlsx"
            for name, conv in rule._converters.items()
        }
        yield rule.build(values, append_unknown=False)[1]


def _status(client, url, **kwargs):
    try:
        return client.get(url, **kwargs).status_code
    except Exception as exc:  # TESTING propagates what a server would answer 500 to
        return repr(exc)[:100]


@pytest.mark.parametrize("number", [HUGE, INT4_PAST])
def test_an_id_beyond_the_database_integer_answers_404_on_every_route(app, as_root, number):
    urls = _urls(app, number, with_ids=True)
    failed = {u: s for u in urls if (s := _status(as_root, u)) != 404}
    assert failed == {}


def test_out_of_range_query_values_answer_400_or_404_on_every_route(app, as_root):
    statuses = {url: _status(as_root, url, query_string=BAD_ARGS) for url in _urls(app, 1)}
    failed = {u: s for u, s in statuses.items() if not isinstance(s, int) or s >= 500}
    assert failed == {}


@pytest.mark.parametrize(
    "url", ["/admin/people?page=100000000000000000000", "/stats/?year=-1", "/admin/study/?year=-1"]
)
def test_the_reported_values_answer_a_chinese_400(as_root, url):
    response = as_root.get(url)
    assert response.status_code == 400
    assert "请求无效" in response.get_data(as_text=True)


def test_an_audit_search_from_year_one_answers_without_an_error(as_root):
    response = as_root.post("/admin/audit", data={"since": "0001-01-01", "until": "9999-12-31"})
    assert response.status_code in (200, 400)
    assert "请求无效" in response.get_data(as_text=True) or "审计" in response.get_data(
        as_text=True
    )


def test_a_50_kb_people_search_is_cut_to_a_search_not_a_database_error(as_root):
    response = as_root.post("/admin/people", data={"q": "张" * 50_000})
    assert response.status_code == 200
    assert "数据库" not in response.get_data(as_text=True)
