"""``flask laws import FILE…``: many law texts at once, through the importer."""

import csv
import shutil
from pathlib import Path

import sqlalchemy as sa

from tests.laws.law_fixtures import shared_laws, version_of
from yongxi_learn.extensions import db
from yongxi_learn.laws import services as laws
from yongxi_learn.laws.models import Law, LawArticle, LawKind, LawStatus
from yongxi_learn.laws.parser import article_label


def manifest(folder: Path) -> list[dict]:
    with (folder / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def article_count(law: Law) -> int:
    query = sa.select(sa.func.count()).select_from(LawArticle).where(LawArticle.law_id == law.id)
    return db.session.scalar(query)


TEXT = "中华人民共和国示例法\n\n2020年1月1日 第十三届全国人民代表大会常务委员会第一次会议通过\n\n"


def write(folder: Path, name: str, articles: int, title_line: str = TEXT) -> Path:
    body = "".join(f"{article_label(n)} 第{n}条的内容。\n" for n in range(1, articles + 1))
    path = folder / name
    path.write_text(title_line + body, encoding="utf-8")
    return path


def test_every_shared_law_imports_with_the_manifest_count(tree, runner):
    folder = shared_laws()
    rows = manifest(folder)
    files = [str(folder / row["file"]) for row in rows]
    result = runner.invoke(args=["laws", "import", *files])
    assert result.exit_code == 0, result.output
    for row in rows:
        law = version_of(row["title"], row["version_date"])
        assert article_count(law) == int(row["articles"]), row["file"]
        assert law.full_text and law.owner_unit_id == tree["district"].id
        assert law.status.label == row["status"], row["file"]
        assert law.short_name == row["short_name"]
        assert f"{row['file']}：《{row['title']}》{row['articles']}条" in result.output
    assert version_of("中华人民共和国宪法", "2018-03-11").kind is LawKind.CONSTITUTIONAL


def test_an_amended_text_becomes_the_new_version_whatever_the_order_given(tree, runner):
    folder = shared_laws()
    newer, older = folder / "监察法(2024-12-25).txt", folder / "监察法(2018-03-20).txt"
    result = runner.invoke(args=["laws", "import", str(newer), str(older)])
    assert result.exit_code == 0, result.output
    first = version_of("中华人民共和国监察法", "2018-03-20")
    second = version_of("中华人民共和国监察法", "2024-12-25")
    assert (first.version, first.status) == (1, LawStatus.AMENDED)
    assert (second.version, second.root_id, second.status) == (2, first.id, LawStatus.CURRENT)
    assert "78条，新版本" in result.output


def test_importing_again_changes_nothing(tree, runner, tmp_path):
    path = write(tmp_path, "示例法.txt", 3)
    assert runner.invoke(args=["laws", "import", str(path)]).exit_code == 0
    # No date in the name: the latest date of the notes is the version's.
    law = db.session.scalars(sa.select(Law)).one()
    assert str(law.promulgated_on) == "2020-01-01" and law.short_name == "示例法"
    assert law.issuer == "全国人民代表大会常务委员会"
    result = runner.invoke(args=["laws", "import", str(path)])
    assert result.exit_code == 0
    assert "《中华人民共和国示例法》3条，已在法规库中" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Law)) == 1


def test_a_file_that_cannot_be_split_is_refused_and_the_others_imported(tree, runner, tmp_path):
    good = write(tmp_path, "示例法(2020-01-01).txt", 4)
    other = write(tmp_path, "另一法(2021-02-03).txt", 2, "中华人民共和国另一法\n")
    bad = tmp_path / "会议纪要.txt"
    bad.write_text("会议纪要\n今天讨论了学法计划。\n", encoding="utf-8")
    word = tmp_path / "旧文件.doc"
    word.write_bytes(b"\xd0\xcf\x11\xe0 old word")
    result = runner.invoke(args=["laws", "import", str(good), str(bad), str(word), str(other)])
    assert result.exit_code == 1
    assert f"未导入 {bad}：没有找到任何条文" in result.output
    assert f"未导入 {word}：只能上传 .txt 或 .docx 文件" in result.output
    assert "示例法(2020-01-01).txt：《中华人民共和国示例法》4条，新增" in result.output
    assert "另一法(2021-02-03).txt：《中华人民共和国另一法》2条，新增" in result.output
    assert "未导入2个" in result.output
    titles = set(db.session.scalars(sa.select(Law.title)))
    assert titles == {"中华人民共和国示例法", "中华人民共和国另一法"}


def test_an_older_text_than_the_current_version_is_refused(tree, runner, tmp_path):
    (tmp_path / "new").mkdir()
    write(tmp_path / "new", "示例法(2022-05-01).txt", 3)
    assert runner.invoke(args=["laws", "import", str(tmp_path / "new")]).exit_code == 0
    older = write(tmp_path, "示例法(2019-05-01).txt", 2)
    result = runner.invoke(args=["laws", "import", str(older)])
    assert result.exit_code == 1
    assert "法规库中的现行版本（2022-05-01）比此文件新" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Law)) == 1


def test_the_manifest_beside_the_files_gives_their_metadata(tree, runner, tmp_path):
    folder = shared_laws()
    for name in ("manifest.csv", "行政复议法(2017-09-01).txt", "行政复议法(2023-09-01).txt"):
        shutil.copy(folder / name, tmp_path / name)
    result = runner.invoke(args=["laws", "import", "--unit", "雍溪镇", str(tmp_path)])
    assert result.exit_code == 0, result.output
    current = laws.find_current("行政复议法")
    assert current.owner_unit_id == tree["town"].id and current.version == 2
    assert str(current.effective_on) == "2024-01-01"  # 本法自2024年1月1日起施行
    # The older text says 1999 (its first enactment), not this version's date: left empty.
    assert version_of("中华人民共和国行政复议法", "2017-09-01").effective_on is None


def test_an_unknown_unit_is_refused_before_anything(tree, runner, tmp_path):
    path = write(tmp_path, "示例法.txt", 3)
    result = runner.invoke(args=["laws", "import", "--unit", "无此单位", str(path)])
    assert result.exit_code != 0 and "没有名为“无此单位”的单位" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Law)) == 0
