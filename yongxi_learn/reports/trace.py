"""Finding a draft's figures in its (possibly edited) text: to link each to the list of
people behind it, and to flag the ones that no longer match the records.

Figures are looked for in the order they were drafted, each after the previous one,
and never inside a longer number ("8次" is not found in "18次").
"""

import re
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    figure: dict  # as saved: key, label, text, list
    current: str | None  # the text the records give now, when it differs


def locate(text: str, figures: list[dict], current: dict[str, list[str]] | None = None):
    """The saved figures found in ``text``, in order. ``current`` maps each key to the
    texts it renders as now (in order, for keys printed more than once)."""
    found, position, seen = [], 0, {}
    for figure in figures:
        key = figure["key"]
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        match = _search(text, figure["text"], position)
        if match is None:
            continue
        now = None
        if current is not None:
            texts = current.get(key, [])
            value = texts[occurrence] if occurrence < len(texts) else None
            if value is not None and value != figure["text"]:
                now = value
        found.append(Found(match, match + len(figure["text"]), figure, now))
        position = match + len(figure["text"])
    return found


def _search(text: str, needle: str, start: int) -> int | None:
    pattern = re.compile(("(?<![0-9.])" if needle[:1].isdigit() else "") + re.escape(needle))
    match = pattern.search(text, start)
    return match.start() if match else None


def stale(found: list[Found]) -> list[Found]:
    return [f for f in found if f.current is not None]


def html(text: str, found: list[Found]) -> list[Markup]:
    """Paragraphs of escaped text; each figure a link to its list, stale ones marked
    with the current value."""
    pieces, position = [], 0
    for f in found:
        pieces.append(escape(text[position : f.start]))
        pieces.append(_figure_html(text[f.start : f.end], f))
        position = f.end
    pieces.append(escape(text[position:]))
    joined = Markup("").join(pieces)
    return [p for p in joined.split("\n") if p.strip()]  # Markup.split keeps Markup


def _figure_html(shown: str, f: Found) -> Markup:
    label = f.figure.get("label", "")
    inner = escape(shown)
    if f.current is not None:
        inner = Markup('<mark class="stale" title="记录已变化">{}</mark>（现为{}）').format(
            shown, f.current
        )
    url = f.figure.get("list") or ""
    if not url.startswith("/") or url.startswith("//"):  # own pages only, never another host
        return Markup('<span class="figure" title="{}">{}</span>').format(label, inner)
    return Markup('<a class="figure" href="{}" title="{}">{}</a>').format(url, label, inner)
