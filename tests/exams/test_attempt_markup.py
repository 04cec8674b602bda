"""The attempt page's markup is written in Python (exams/taking/page.py) for speed, and
read by static/js/exam.js: every element and attribute the script looks up is on the
page, whichever path (fast or full) rendered it. The script's lookups are read from
the script itself, so one it starts using is checked without a change here."""

import re
from pathlib import Path

import pytest

from tests.exams.taking import begin, last_seen, text
from yongxi_learn.exams.taking import views as take_views

EXAM_JS = Path(take_views.__file__).parents[2] / "static" / "js" / "exam.js"
# On the page only when they apply: a login new to the attempt; a time limit.
OPTIONAL = {"data-opened-url", "data-remaining"}


@pytest.fixture
def as_cadre(client, login, cadre):
    login(cadre)
    return client


def lookups() -> dict[str, set[str]]:
    script = EXAM_JS.read_text(encoding="utf-8")
    return {
        "ids": set(re.findall(r'getElementById\("([\w-]+)"\)', script)),
        "form attributes": set(re.findall(r'getAttribute\("(data-[\w-]+)"\)', script)),
        "per-question attributes": set(re.findall(r"\[(data-[\w-]+)='", script)),
        "per-question inputs": set(re.findall(r"input\[name='(\w)\" \+ position", script)),
    }


def test_the_script_is_read_for_what_it_looks_up():
    found = lookups()
    assert {"exam-form", "exam-save-state"} <= found["ids"]
    assert {"data-answer-url", "data-total"} <= found["form attributes"]
    assert found["per-question attributes"] == {"data-state-for", "data-nav"}
    assert found["per-question inputs"] == {"q", "v"}


@pytest.mark.parametrize("path", ["fast", "full"])
def test_every_lookup_of_the_script_is_on_the_attempt_page(as_cadre, exam, path):
    attempt = begin(as_cadre, exam)
    if path == "full":
        last_seen(minutes_ago=5)  # a login not seen within the minute takes the full path
    html = text(as_cadre.get(f"/exams/attempts/{attempt.id}"))
    found = lookups()
    for element_id in found["ids"]:
        assert f'id="{element_id}"' in html, element_id
    form = re.search(r'<form[^>]*id="exam-form"[^>]*>', html, re.S).group(0)
    for attribute in found["form attributes"] - OPTIONAL:
        assert f"{attribute}=" in form, attribute
    assert "data-remaining=" in form  # the exam has a time limit
    positions = [aq.position for aq in attempt.questions]
    for position in positions:
        for attribute in found["per-question attributes"]:
            assert f'{attribute}="{position}"' in html, (attribute, position)
        assert f'name="q{position}"' in html and f'name="v{position}"' in html
    assert 'name="csrf_token"' in html and 'type="submit"' in html
