"""The accessibility audit of one page in Chromium (issue #26 §3, WCAG 2.1 AA / GB/T 37668):
axe-core's rules (the copy the dev extra's axe-playwright-python bundles, injected into the
page: nothing is fetched) and a keyboard check of our own.

What fails: an axe violation of impact ``critical`` or ``serious`` (a field without a label,
text below 4.5:1 contrast, a button or link without a name, an image without alt text, a
page without a language …), and on the keyboard side an element with a positive
``tabindex`` (it jumps the reading order), a visible control taken out of the tab order
(``tabindex="-1"`` on a link, button or field), and a tab stop with no visible focus
(``outline: none`` and nothing in its place).

The modes a page is audited in are ``MODES``: the cookies that switch a mode on, set after
logging in (a login sets the mode's cookie from the account).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from axe_playwright_python.sync_playwright import Axe
from werkzeug.exceptions import HTTPException

from yongxi_learn.auth.elder import ELDER_COOKIE, ON

WIDTHS = (360, 1280)  # a phone, a PC
HEIGHT = 800
BLOCKING = {"critical", "serious"}
# The mode's name: the cookies that put the browser in it. Every cookie any mode names is
# cleared before a mode's own are set, so "normal" is normal whatever the account says.
# 长辈模式 (issue #26 §1) is this one more line:
#     "长辈模式": {"yongxi_elder": "1"},
MODES: dict[str, dict[str, str]] = {
    "normal": {},
    "长辈模式": {ELDER_COOKIE: ON},
}
# What a page may do that axe flags, and why: (endpoint, axe rule).
ALLOWED = {
    # The projector's screen in the meeting room (nobody operates it) reloads to show each
    # minute's sign-in code: the time limit is the point (WCAG 2.2.1's real-time exception).
    ("training_admin.projector", "meta-refresh"),
}
TAB_STOPS = 6  # tab stops per page whose focus must show (the header's, then the page's)

_AXE = Axe()
_WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE_OPTIONS = {
    "resultTypes": ["violations"],
    # WCAG 2.0/2.1 A and AA, and axe's best practices (landmarks, one h1, …).
    "runOnly": {"type": "tag", "values": [*_WCAG, "best-practice"]},
}

_KEYBOARD_JS = """() => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const describe = (el) => el.outerHTML.slice(0, 100);
  const positive = [...document.querySelectorAll("[tabindex]")]
    .filter((el) => el.tabIndex > 0).map(describe);
  const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  const untabbable = [...document.querySelectorAll(controls)]
    .filter((el) => visible(el) && !el.disabled && el.getAttribute("tabindex") === "-1")
    .map(describe);
  return {positive, untabbable};
}"""

_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // Chromium marks the focused part (year, month, …) of a date field inside the field.
  if (/^(date|datetime-local|month|time|week)$/.test(el.type)) return {shown: true};
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {shown: ring || shadow, what: el.outerHTML.slice(0, 100)};
}"""


def set_mode(context, base_url: str, mode: str) -> None:
    """Put a logged-in browser context in ``mode`` (a key of ``MODES``)."""
    for name in {name for cookies in MODES.values() for name in cookies}:
        context.clear_cookies(name=name)
    context.add_cookies(
        [{"name": k, "value": v, "url": base_url + "/"} for k, v in MODES[mode].items()]
    )


def audit(page, endpoint: str) -> list[str]:
    """What is wrong with the page (of ``endpoint``) as it is now, one line each."""
    found = []
    for violation in _AXE.run(page, options=_AXE_OPTIONS).response["violations"]:
        if violation["impact"] not in BLOCKING or (endpoint, violation["id"]) in ALLOWED:
            continue
        for node in violation["nodes"][:3]:
            target = " ".join(str(t) for t in node["target"])
            found.append(
                f"{violation['id']} ({violation['impact']}): {target} — "
                f"{node.get('failureSummary', '').splitlines()[-1].strip()} "
                f"| {node['html'][:120]}"
            )
        if len(violation["nodes"]) > 3:
            found.append(f"{violation['id']}: … {len(violation['nodes']) - 3} more elements")
    keys = page.evaluate(_KEYBOARD_JS)
    found += [f"positive tabindex: {html}" for html in keys["positive"]]
    found += [f"control out of the tab order: {html}" for html in keys["untabbable"]]
    return found


def focus_problems(page) -> list[str]:
    """Tab through the first ``TAB_STOPS`` stops: each shows where the focus is."""
    found = []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(TAB_STOPS):
        page.keyboard.press("Tab")
        focus = page.evaluate(_FOCUS_JS)
        if focus is None:
            break
        if not focus["shown"]:
            found.append(f"no visible focus: {focus['what']}")
    return found


def shape(app, url: str) -> str:
    """What makes two URLs one page to audit: the endpoint and the names of the query's
    values (another id or page number is the same template)."""
    split = urlsplit(url)
    try:
        endpoint, _ = app.url_map.bind("localhost").match(split.path, method="GET")
    except HTTPException:
        endpoint = re.sub(r"(?<=/)\d+(?=/|$|\.)", "<id>", split.path)
    keys = sorted({key for key, _ in parse_qsl(split.query, keep_blank_values=True)})
    return endpoint + "?" + "&".join(keys)


def endpoint_of(shape: str) -> str:
    return shape.partition("?")[0]
