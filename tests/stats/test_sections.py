"""The seam where training and study add their figures to the year overview."""

from decimal import Decimal

import jinja2
import pytest

from yongxi_learn.core.formatting import Rate
from yongxi_learn.stats import charts, sections
from yongxi_learn.stats.tables import Table

from .helpers import workbook


@pytest.fixture
def training_section(app):
    def build(scope):
        return {"sessions": 8, "unit": scope.unit.name}

    def tables(scope, data):
        return [Table("培训汇总", ("单位", "场次"), [[data["unit"], data["sessions"]]])]

    loader = app.jinja_env.loader
    app.jinja_env.loader = jinja2.ChoiceLoader(
        [
            jinja2.DictLoader(
                {"stats/_test_training.html": "<p>法治专题学习{{ data.sessions }}次</p>"}
            ),
            loader,
        ]
    )
    # A key of its own: the real sections (training, study) stay registered around it.
    section = sections.Section("extra", "测试栏目", build, "stats/_test_training.html", tables)
    sections.register_section(section)
    yield section
    sections.SECTIONS.remove(section)
    app.jinja_env.loader = loader


def test_a_registered_section_shows_on_the_overview_and_in_its_download(
    scenario, admin, login, client, training_section
):
    login(admin)
    html = client.get("/stats/?year=2024").get_data(as_text=True)
    assert "<h2>测试栏目</h2>" in html and "法治专题学习8次" in html
    assert html.index("<h2>考试</h2>") < html.index("<h2>测试栏目</h2>")
    book = workbook(client.get("/stats/export.xlsx?year=2024").get_data())
    assert book.sheetnames[:2] == ["汇总", "明细"] and book.sheetnames[-1] == "培训汇总"
    assert book["培训汇总"]["A2"].value == "雍溪镇" and book["培训汇总"]["B2"].value == 8


def test_registering_the_same_key_replaces_the_section(training_section):
    replacement = sections.Section("extra", "培训", lambda scope: None, "x.html")
    sections.register_section(replacement)
    assert sections.get_section("extra") is replacement
    assert [s.key for s in sections.SECTIONS].count("extra") == 1
    sections.register_section(training_section)


def test_bars_are_as_long_as_their_rate_and_no_rate_draws_nothing():
    chart = charts.rate_chart(
        "参考率", [("石佛村", [Rate(3, 4)]), ("司法所", [Rate(0, 0)])], [("参考率", "bar-a")]
    )
    (full,), (empty,) = (g.bars for g in chart.groups)
    assert (full.width, full.text) == (charts.BAR_AREA * 0.75, "75%")
    assert (empty.width, empty.text) == (0, "—")
    assert chart.groups[1].y > chart.groups[0].y and chart.height > chart.groups[1].bars[0].y


def test_histogram_columns_are_scaled_to_the_tallest():
    from yongxi_learn.stats.exam_lists import Bin

    bins = [
        Bin(Decimal(i * 10), Decimal(i * 10 + 10), n, i >= 6)
        for i, n in enumerate([0] * 8 + [2, 4])
    ]
    histogram = charts.histogram("分布", bins)
    assert histogram.columns[-1].height == charts.PLOT_HEIGHT
    assert histogram.columns[-2].height == charts.PLOT_HEIGHT / 2
    assert histogram.columns[0].height == 0
    assert histogram.ticks[-1][1] == "100"
