"""The sandboxed template and finding figures again in an edited text."""

import pytest

from yongxi_learn.reports import render, trace
from yongxi_learn.reports.render import Figure, TemplateRefused

SESSIONS = Figure("training.topic", "法治专题学习场次", "8次", "/admin/training/?year=2024")
RATE = Figure("exam.participation", "参考率", "100%", "/stats/names?list=absent")


def test_rendering_notes_every_figure_in_text_order():
    out = render.render(
        "组织开展法治专题学习{{ sessions }}，参考率达{{ rate }}。\n\n  {{ missing }}\n",
        {"sessions": SESSIONS, "rate": RATE, "missing": None},
    )
    assert out.text == "组织开展法治专题学习8次，参考率达100%。"
    assert [f.key for f in out.figures] == ["training.topic", "exam.participation"]


def test_the_approx_filter_is_there():
    assert render.render("{{ 207|approx }}人次", {}).text == "200余人次"


@pytest.mark.parametrize(
    "source",
    [
        "{{ sessions.__class__ }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ sessions.as_json() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{% set x = [] %}{{ x.append(1) }}",
        "{{ sessions.text.upper() }}",
        "{{ 'a' ~ }}",
        "{{ misspelt_name }}",
    ],
)
def test_the_sandbox_refuses_what_a_template_should_not_reach(source):
    with pytest.raises(TemplateRefused):
        render.render(source, {"sessions": SESSIONS})


def test_figures_are_found_again_and_linked():
    figures = [SESSIONS.as_json(), RATE.as_json()]
    text = "一是组织培训。2024年以来，组织开展法治专题学习8次，参考率达100%。"
    found = trace.locate(text, figures)
    assert [text[f.start : f.end] for f in found] == ["8次", "100%"]
    [paragraph] = trace.html(text, found)
    assert (
        '<a class="figure" href="/admin/training/?year=2024" title="法治专题学习场次">8次</a>'
        in (paragraph)
    )


def test_a_number_inside_a_longer_one_is_not_the_figure():
    found = trace.locate("共18次，其中专题学习8次", [SESSIONS.as_json()])
    assert found[0].start == len("共18次，其中专题学习")


def test_an_edited_away_figure_is_skipped_and_the_rest_still_found():
    text = "专题学习若干次，参考率达100%。"
    found = trace.locate(text, [SESSIONS.as_json(), RATE.as_json()])
    assert [f.figure["key"] for f in found] == ["exam.participation"]


def test_a_figure_the_records_no_longer_bear_out_is_marked_with_the_current_value():
    text = "参考率达92.3%，通过率100%。"
    saved = [
        {"key": "exam.participation", "label": "参考率", "text": "92.3%", "list": "/x"},
        {"key": "exam.pass", "label": "通过率", "text": "100%", "list": "/y"},
    ]
    found = trace.locate(text, saved, {"exam.participation": ["100%"], "exam.pass": ["100%"]})
    [changed] = trace.stale(found)
    assert (changed.figure["key"], changed.current) == ("exam.participation", "100%")
    html = str(trace.html(text, found)[0])
    assert '<mark class="stale" title="记录已变化">92.3%</mark>（现为100%）' in html


def test_user_text_and_foreign_links_come_out_inert():
    saved = [{"key": "k", "label": '"><script>', "text": "8次", "list": "javascript:alert(1)"}]
    text = "<img src=x onerror=alert(1)>共8次"
    html = str(trace.html(text, trace.locate(text, saved))[0])
    assert "<img" not in html and "javascript:" not in html and "<script>" not in html
