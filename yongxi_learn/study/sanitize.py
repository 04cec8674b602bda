"""The allow-list sanitizer for rich text readings (以案释法 cases, policy readings).

Text is cleaned when saved and the stored HTML is rendered as is: no script or style,
no event attributes, no javascript: (or data:) URLs, links open safely.
"""

import html

import nh3

TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "h2", "h3", "h4",
    "ul", "ol", "li", "blockquote", "a", "hr", "span",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_CHARS = 50_000


def clean(text: str) -> str:
    """Sanitized HTML; plain text (no tags) becomes paragraphs."""
    text = (text or "").strip()
    if "<" not in text:
        text = "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.splitlines() if p.strip())
    return nh3.clean(
        text,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()
