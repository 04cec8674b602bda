"""seed_laws: the demo library is the shipped real texts, loaded through the importer
once, older versions first, so the demo shows amended laws."""

import contextlib
import csv

import sqlalchemy as sa

from tests.conftest import count_rows
from tests.laws.law_fixtures import shared_laws, version_of
from yongxi_learn.extensions import db
from yongxi_learn.laws import services as laws
from yongxi_learn.laws.demo import LAW_FOLDER, TITLE_ONLY, seed_laws
from yongxi_learn.laws.models import Law, LawArticle


def untracked(items, _label):
    return contextlib.nullcontext(items)


def shipped() -> list[dict]:
    with (LAW_FOLDER / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_shipped_texts_are_the_shared_ones():
    folder = shared_laws()
    names = sorted(p.name for p in folder.iterdir())
    assert sorted(p.name for p in LAW_FOLDER.iterdir()) == names
    for name in names:
        assert (LAW_FOLDER / name).read_bytes() == (folder / name).read_bytes(), name


def test_the_demo_library_is_loaded_once_for_the_district(tree):
    lines = seed_laws(tree["town"], track=untracked)
    db.session.commit()
    rows = shipped()
    total = sum(int(row["articles"]) for row in rows)
    assert lines[0] == (
        f"已载入法规库{len(rows)}个法规文本（共{total}条；其中4部为修订后的新版本，"
        "旧版本已标记为已修改）。"
    )
    assert count_rows(Law) == len(rows) + len(TITLE_ONLY)
    assert count_rows(LawArticle) == total
    owners = set(db.session.scalars(sa.select(Law.owner_unit_id)))
    assert owners == {tree["district"].id}
    for row in rows:
        law = version_of(row["title"], row["version_date"])
        assert law.status.label == row["status"] and not law.sample, row["file"]
    assert seed_laws(tree["town"], track=untracked) == []
    assert (count_rows(Law), count_rows(LawArticle)) == (len(rows) + len(TITLE_ONLY), total)


def test_the_amended_law_reads_whole_and_is_found(tree, client, login, learner):
    seed_laws(tree["town"], track=untracked)
    db.session.commit()
    current = laws.find_current("行政复议法")
    login(learner)
    html = client.get(f"/laws/{current.id}").get_data(as_text=True)
    assert "本法规尚未录入条文" not in html
    assert "行政复议工作坚持中国共产党的领导。" in html  # 第三条 of the 2023 text
    found = client.get("/laws/?q=行政复议").get_data(as_text=True)
    assert f'href="/laws/{current.id}"' in found
