"""How a law's articles are laid out on its page: grouped under their 编/章/节
headings, and, for a long law, cut into parts at its top-level headings so a phone on
a weak network loads one 编 or 章 at a time."""

from dataclasses import dataclass, field

from .models import LawArticle
from .parser import HEADING_SEP

LONG_LAW = 150  # articles; a longer law is shown part by part


@dataclass
class Section:
    """Articles under the same headings; ``opens`` are the headings that start here,
    as (depth, title), depth 0 being the law's top level."""

    opens: list[tuple[int, str]]
    articles: list[LawArticle] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"h{self.articles[0].id}"


@dataclass
class TocEntry:
    depth: int
    title: str
    part: int
    anchor: str


@dataclass
class Layout:
    parts: list[list[Section]]
    toc: list[TocEntry]

    def part_of(self, article_id: int) -> int:
        for index, part in enumerate(self.parts):
            if any(a.id == article_id for s in part for a in s.articles):
                return index
        return 0


def sections(articles: list[LawArticle]) -> list[Section]:
    out: list[Section] = []
    previous: list[str] = []
    for article in articles:
        path = article.heading.split(HEADING_SEP) if article.heading else []
        if not out or path != previous:
            same = 0
            while same < min(len(path), len(previous)) and path[same] == previous[same]:
                same += 1
            out.append(Section([(depth, path[depth]) for depth in range(same, len(path))]))
            previous = path
        out[-1].articles.append(article)
    return out


def layout(articles: list[LawArticle]) -> Layout:
    groups = sections(articles)
    parts: list[list[Section]] = [[]]
    for section in groups:
        starts_part = any(depth == 0 for depth, _ in section.opens)
        if len(articles) > LONG_LAW and starts_part and parts[-1]:
            parts.append([])
        parts[-1].append(section)
    toc = [
        TocEntry(depth, title, index, section.anchor)
        for index, part in enumerate(parts)
        for section in part
        for depth, title in section.opens
    ]
    return Layout(parts if groups else [], toc)
