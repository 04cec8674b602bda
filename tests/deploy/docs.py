"""The samples of docs/deploy.md, read from the page itself, so that the tests run what
the district's IT staff will copy."""

import re
from pathlib import Path

DEPLOY_MD = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def code_block(containing: str) -> str:
    """The one fenced code block of docs/deploy.md that contains ``containing``."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```$", DEPLOY_MD.read_text(), re.MULTILINE | re.DOTALL)
    found = [block for block in blocks if containing in block]
    assert len(found) == 1, f"{len(found)} code blocks of docs/deploy.md contain {containing!r}"
    return found[0]
