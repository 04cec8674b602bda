"""The 朗读 button of each question on the attempt page: hidden until static/js/speech.js
finds a Chinese voice, reading only the question's type, stem and options (the parts
marked data-speak-part), on the fast and the full path alike."""

import re

import pytest

from tests.exams.taking import begin, last_seen, text


@pytest.mark.parametrize("path", ["fast", "full"])
def test_each_question_has_a_hidden_read_aloud_button(client, login, cadre, exam, path):
    login(cadre)
    attempt = begin(client, exam)
    if path == "full":
        last_seen(minutes_ago=5)
    html = text(client.get(f"/exams/attempts/{attempt.id}"))
    assert re.search(r'<script src="[^"]*/js/speech[^"]*\.js" defer>', html)
    for aq in attempt.questions:
        n = aq.position
        block = re.search(rf'<fieldset class="question" id="q{n}".*?</fieldset>', html, re.S)
        question = block.group(0)
        assert re.search(
            rf'<button type="button" class="[^"]*speak-button" data-speak="q{n}"[^>]*hidden>朗读',
            question,
        )
        parts = re.findall(r"<(\w+)[^>]*data-speak-part>(.*?)</\1>", question, re.S)
        # the type, the stem, then each option with its letter: nothing else is read
        assert [tag for tag, _ in parts[:2]] == ["span", "span"]
        assert len(parts) == 2 + len(aq.question.options)
        assert all(
            f"{letter}." in body for letter, (_, body) in zip("ABCDEF", parts[2:], strict=False)
        )
