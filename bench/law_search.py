"""How fast the law library searches: 300 laws × 100 articles (30,000 articles).

    .venv/bin/python bench/law_search.py            # SQLite (a temporary file)
    .venv/bin/python bench/law_search.py --pg       # a throwaway PostgreSQL (tests/pgserver.py)
    .venv/bin/python bench/law_search.py --url URL  # any empty database

Fills the database with synthetic laws (made-up text from a legal vocabulary, never
real law text), then times what the /laws/ page runs: a title search, and an article
search (first page + the count) for a common phrase, a rare one and one that matches
nothing (the full scan). Prints the median and the worst of the repeats, in ms.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from yongxi_learn import create_app  # noqa: E402
from yongxi_learn.extensions import db  # noqa: E402
from yongxi_learn.laws import search as law_search  # noqa: E402
from yongxi_learn.laws.models import Law, LawArticle, LawKind, LawStatus  # noqa: E402
from yongxi_learn.laws.parser import article_label  # noqa: E402
from yongxi_learn.org.models import OrgUnit, UnitKind  # noqa: E402

LAWS, ARTICLES, REPEATS, PER_PAGE = 300, 100, 15, 30
VOCABULARY = (
    "行政机关 公民 法人 其他组织 依法 应当 不得 处罚 许可 强制 复议 诉讼 人民政府 县级以上 "
    "主管部门 监督管理 合法权益 违反本法规定 责令改正 没收违法所得 罚款 情节严重 工作人员 "
    "国家 保障 建立健全 制度 组织实施 申请 审查 决定 期限 听证 告知 陈述 申辩 送达 执行 "
    "村民委员会 乡镇 街道 安全生产 土地 信访 公开 公正 便民 效率 赔偿 责任 追究"
)
WORDS = VOCABULARY.split()
QUERIES = {"title": "第150部", "common": "依法", "rare": "示例罕见词", "none": "不存在的词语"}


def _text(rng: random.Random) -> str:
    return "，".join("".join(rng.sample(WORDS, 3)) for _ in range(rng.randint(4, 9))) + "。"


def fill(rng: random.Random) -> None:
    unit = OrgUnit(name="大足区", kind=UnitKind.DISTRICT, path="/")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"/{unit.id}/"
    for n in range(1, LAWS + 1):
        law = Law(owner_unit_id=unit.id, title=f"示例管理法第{n}部", kind=LawKind.LAW)
        db.session.add(law)
        db.session.flush()
        rows = [
            {
                "law_id": law.id,
                "position": i,
                "number": i + 1,
                "suffix": 0,
                "label": article_label(i + 1),
                "heading": "第一章 总则",
                "text": _text(rng),
            }
            for i in range(ARTICLES)
        ]
        if n == 7:
            rows[42]["text"] += "示例罕见词。"
        db.session.execute(sa.insert(LawArticle), rows)
    # 10% of the laws are old versions: the default search skips them.
    db.session.execute(sa.update(Law).where(Law.id % 10 == 0).values(status=LawStatus.AMENDED))
    db.session.commit()


def timed(run) -> tuple[float, float]:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return statistics.median(times), max(times)


def article_page(words: str):
    criteria = law_search.LawFilter(text=words)

    def run():
        page = law_search.article_hits(criteria, 1, PER_PAGE)
        return page.total, len(page.items)

    return run


def title_page(words: str):
    criteria = law_search.LawFilter(text=words)
    return lambda: db.session.scalars(law_search.laws_select(criteria).limit(50)).all()


def bench(url: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        start = time.perf_counter()
        fill(random.Random(2024))
        print(
            f"{db.engine.dialect.name}: {LAWS} laws × {ARTICLES} articles loaded in "
            f"{time.perf_counter() - start:.1f}s"
        )
        for name, words in QUERIES.items():
            run = title_page(words) if name == "title" else article_page(words)
            median, worst = timed(run)
            print(f"  {name:<7} “{words}”: median {median:6.1f} ms, worst {worst:6.1f} ms")
        db.drop_all()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an empty database to fill (dropped afterwards)")
    parser.add_argument("--pg", action="store_true", help="a throwaway PostgreSQL server")
    args = parser.parse_args()
    if args.pg:
        sys.path.insert(0, str(ROOT / "tests"))
        from pgserver import temporary_server

        with temporary_server() as server:
            bench(server.url)
    elif args.url:
        bench(args.url)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            bench(f"sqlite:///{tmp}/bench.sqlite3")


if __name__ == "__main__":
    main()
