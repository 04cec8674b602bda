"""Whether the library holds a law's whole text: only a text imported as whole and
numbered without a gap counts, so only then is a label it lacks wrong."""

import re

import pytest

from tests.laws.law_fixtures import (
    LAW_TEXT,
    PENALTY_LAW,
    URL,
    excerpt,
    make_law,
    real_text,
)
from yongxi_learn.extensions import db
from yongxi_learn.laws import services as laws
from yongxi_learn.laws.models import Law


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


def imported(client, law_text: str, title: str, url: str = URL + "import") -> tuple[str, Law]:
    """Paste ``law_text`` into the importer and confirm: the preview, and the version saved."""
    data = {"title": title, "kind": "law", "text": law_text}
    html = text(client.post(url, data=data))
    action = re.search(r'action="(/laws/import/[^"/]+/confirm)"', html).group(1)
    plan = re.search(r'name="plan" value="([^"]+)"', html).group(1)
    assert client.post(action, data={"plan": plan}).status_code == 302
    law = db.session.query(Law).filter_by(title=title).order_by(Law.version.desc()).first()
    return html, law


def test_a_real_law_imported_through_the_importer_is_held_whole(as_admin):
    html, law = imported(as_admin, real_text(), PENALTY_LAW)
    assert "识别出 12 个标题、86 条" in html
    assert "条文从第一条起编号连续，按全文保存" in html
    assert law.full_text is True and len(law.articles) == 86


def test_a_text_with_a_gap_in_its_numbering_is_not_held_whole(as_admin):
    html, law = imported(as_admin, LAW_TEXT, "中华人民共和国示例管理法")
    assert "条文编号不连续，按不完整的文本保存" in html
    assert law.full_text is False


def test_a_new_version_imported_whole_is_held_whole(as_admin, tree):
    sample = make_law(tree["town"], PENALTY_LAW, excerpt(real_text(), (2, 9)))
    assert sample.full_text is False
    _html, newer = imported(as_admin, real_text(), PENALTY_LAW, f"{URL}{sample.id}/version")
    assert (newer.version, newer.full_text) == (2, True)


def test_a_few_articles_numbered_from_the_first_are_not_a_whole_text(tree):
    # As the demo's 民法典 sample (第一条, 第二条): no gap, yet an excerpt.
    law = make_law(tree["district"], PENALTY_LAW, excerpt(real_text(), (1, 2)))
    assert law.full_text is False


def test_of_two_units_keeping_the_same_law_the_whole_text_is_found_by_name(as_admin, tree):
    # The district keeps the demo's sample; the town imports the whole text for itself.
    make_law(tree["district"], PENALTY_LAW, excerpt(real_text(), (2, 9)), short_name="行政处罚法")
    _html, whole = imported(as_admin, real_text(), PENALTY_LAW)
    assert laws.find_current("行政处罚法") == whole
