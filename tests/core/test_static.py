"""The shipped stylesheet: one unbalanced brace makes every later rule print-only."""

import re
from pathlib import Path

import yongxi_learn

CSS = Path(yongxi_learn.__file__).parent / "static" / "css" / "app.css"


def test_the_stylesheets_blocks_are_balanced_and_closed_in_order():
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    depth = 0
    for line_number, line in enumerate(text.splitlines(), start=1):
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"a '}}' closes nothing at line {line_number}"
        assert depth <= 2, f"blocks nested deeper than @media {{ rule {{ }} }} at {line_number}"
    assert depth == 0, "a block is never closed"
