"""朗读 in a real browser. Headless Chromium may have no Chinese voice, so the page's
speechSynthesis is a stub (added before any script runs): its voices arrive late, as
in Chrome, and it records what it is asked to say."""

import json

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.courses.media import m4a
from tests.e2e.helpers import MEDIA_SERVER_RESET, create_exam, start_exam
from yongxi_learn.extensions import db
from yongxi_learn.laws.models import Law, LawArticle, LawKind
from yongxi_learn.org.models import Category, OrgUnit

pytestmark = pytest.mark.e2e

STUB = """
(function () {
  var voices = %s;
  var ready = false;
  var listeners = [];
  window.__spoken = [];
  window.__cancelled = 0;
  var synth = {
    getVoices: function () { return ready ? voices : []; },
    speak: function (u) { window.__spoken.push(u.text + "|" + u.lang); },
    cancel: function () { window.__cancelled += 1; },
    addEventListener: function (type, fn) { if (type === "voiceschanged") listeners.push(fn); },
    removeEventListener: function (type, fn) {
      listeners = listeners.filter(function (f) { return f !== fn; });
    }
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  setTimeout(function () {
    ready = true;
    listeners.slice().forEach(function (fn) { fn(); });
  }, 300);
})();
"""
CHINESE = [{"name": "English", "lang": "en-US"}, {"name": "Ting-Ting", "lang": "zh-CN"}]
NO_CHINESE = [{"name": "English", "lang": "en-US"}, {"name": "Français", "lang": "fr-FR"}]


def _stub(page, voices) -> None:
    page.add_init_script(STUB % json.dumps(voices))


def _spoken(page) -> list[str]:
    return page.evaluate("window.__spoken")


def test_a_question_is_read_stem_then_options(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot
):
    phone, password = make_person(must_change_password=False)
    create_exam(live_server.app, phone)
    _stub(page, CHINESE)
    start_exam(page, live_server, log_in, phone, password)
    button = page.locator("#q1 button[data-speak]")
    expect(button).to_be_visible()
    expect(button).to_have_text("朗读")
    options = [" ".join(t.split()) for t in page.locator("#q1 .option").all_inner_texts()]
    # The paper is shuffled: whichever question came first is the one read.
    stem = page.locator("#q1 .stem-text").inner_text().strip()
    assert stem.endswith("：关于宪法和法律的表述，下列说法正确的是")
    button.click()
    expect(button).to_have_text("停止")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert_fits_phone(page)
    screenshot(page, "question-speaking")
    spoken = _spoken(page)
    assert spoken == [f"{text}|zh-CN" for text in ["单选", stem, *options]]
    assert [o.split(" ")[0] for o in options] == ["A.", "B.", "C.", "D."]
    assert not any("解析" in s for s in spoken)
    button.click()  # 停止
    expect(button).to_have_text("朗读")
    assert page.evaluate("window.__cancelled") >= 2
    assert len(_spoken(page)) == len(spoken)


def test_without_a_chinese_voice_the_button_stays_hidden(live_server, make_person, page, log_in):
    phone, password = make_person(must_change_password=False)
    create_exam(live_server.app, phone)
    _stub(page, NO_CHINESE)
    start_exam(page, live_server, log_in, phone, password)
    page.wait_for_timeout(600)  # past the stub's voiceschanged
    expect(page.locator("#q1 button[data-speak]")).to_be_hidden()
    expect(page.locator("button[data-speak]:visible")).to_have_count(0)


def _law(app) -> tuple[int, int, int]:
    with app.app_context():
        town = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.name == "雍溪镇"))
        law = Law(owner_unit=town, title="中华人民共和国人民调解法", kind=LawKind.LAW)
        law.articles.append(
            LawArticle(position=0, number=1, label="第一条", text="第一句。第二句。")
        )
        law.articles.append(LawArticle(position=1, number=2, label="第二条", text="另一条。"))
        db.session.add(law)
        db.session.commit()
        return law.id, law.articles[0].id, law.articles[1].id


def test_a_law_article_is_read_and_another_button_takes_over(
    live_server, make_person, page, log_in
):
    phone, password = make_person(must_change_password=False)
    law_id, first, second = _law(live_server.app)
    _stub(page, CHINESE)
    page.goto(live_server.url("/"))
    log_in(page, phone, password)
    page.goto(live_server.url(f"/laws/{law_id}"))
    one, two = page.locator(f"#a{first} .speak-button"), page.locator(f"#a{second} .speak-button")
    one.click()
    assert _spoken(page) == ["第一条 第一句。第二句。|zh-CN"]
    two.click()  # the first stops, the second reads
    expect(one).to_have_text("朗读")
    expect(two).to_have_text("停止")
    assert _spoken(page)[-1] == "第二条 另一条。|zh-CN"


@MEDIA_SERVER_RESET
def test_a_liaison_uploads_a_recording_from_the_phone_and_it_plays_on_the_article(
    live_server, make_person, page, log_in, assert_fits_phone, screenshot, tmp_path
):
    phone, password = make_person(
        name="王明白", category=Category.LEGAL_LIAISON, must_change_password=False
    )
    law_id, first, _second = _law(live_server.app)
    _stub(page, CHINESE)
    page.goto(live_server.url("/"))
    log_in(page, phone, password)
    page.goto(live_server.url(f"/laws/{law_id}"))
    page.locator(f"#a{first}").get_by_role("link", name="添加语音讲解").click()
    recording = tmp_path / "新录音.m4a"
    recording.write_bytes(m4a(2))
    page.get_by_label("上传语音讲解").set_input_files(str(recording))
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("语音讲解已上传")
    page.goto(live_server.url(f"/laws/{law_id}"))
    note = page.locator(f"#a{first} figure.audio-note")
    expect(note.locator("figcaption")).to_contain_text("语音讲解（王明白、石佛村）")
    audio = note.locator("audio[controls]")
    expect(audio).to_be_visible()
    duration = audio.evaluate(
        """a => new Promise(done => {
            if (a.readyState >= 1) { done(a.duration); return; }
            a.addEventListener("loadedmetadata", () => done(a.duration));
            a.preload = "metadata"; a.load();
        })"""
    )
    assert 1.5 < duration < 3  # the browser fetched and read the file
    expect(page.locator(f"#a{first} .speak-button")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "law-article-audio")
