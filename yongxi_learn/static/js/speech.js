// 朗读: the browser's own speech synthesis (no cloud service) reads a question (its
// stem, then each option with its letter), a law article or a reading aloud.
//
// A button is <button data-speak="ID" hidden>; ID names the element to read. Inside
// it the elements marked data-speak-part are read in page order, each its own
// utterance; without any, the element's whole text. Only text already on the page is
// read (an exam page holds no answer key). The buttons stay hidden unless the
// browser has a Chinese voice; voices load late in some browsers (voiceschanged).
// Plain ES5 for WeChat's Android browser.
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  var Utterance = window.SpeechSynthesisUtterance;
  if (!synth || !Utterance || !document.querySelector) { return; }
  var buttons = document.querySelectorAll("button[data-speak]");
  if (!buttons.length) { return; }

  var LABEL = "朗读";
  var STOP = "停止";
  // Long utterances stop half-way in some engines: a part is cut at sentence ends.
  var PIECE = 120;
  var voice = null;
  var active = null; // the button whose text is being read
  var run = 0; // which reading the queued utterances belong to

  function chineseVoice() {
    var voices = synth.getVoices() || [];
    var best = null;
    for (var i = 0; i < voices.length; i++) {
      var lang = String(voices[i].lang || "").replace("_", "-").toLowerCase();
      if (lang === "zh-cn") { return voices[i]; }
      if (!best && lang.indexOf("zh") === 0) { best = voices[i]; }
    }
    return best;
  }

  function clean(text) {
    return String(text || "").replace(/\s+/g, " ").replace(/^ | $/g, "");
  }

  function pieces(text) {
    var out = [];
    var sentences = text.match(/[^。！？；!?;]+[。！？；!?;]*/g) || [];
    var piece = "";
    for (var i = 0; i < sentences.length; i++) {
      if (piece && piece.length + sentences[i].length > PIECE) {
        out.push(piece);
        piece = "";
      }
      piece += sentences[i];
    }
    if (clean(piece)) { out.push(piece); }
    return out;
  }

  function textsOf(target) {
    var parts = target.querySelectorAll("[data-speak-part]");
    var texts = [];
    if (!parts.length) { parts = [target]; }
    for (var i = 0; i < parts.length; i++) {
      var found = pieces(clean(parts[i].textContent));
      for (var j = 0; j < found.length; j++) { texts.push(found[j]); }
    }
    return texts;
  }

  function show(button, speaking) {
    button.textContent = speaking ? STOP : LABEL;
    button.setAttribute("aria-pressed", speaking ? "true" : "false");
  }

  function stop() {
    run += 1;
    if (active) { show(active, false); }
    active = null;
    synth.cancel();
  }

  function speak(button) {
    var target = document.getElementById(button.getAttribute("data-speak"));
    var texts = target ? textsOf(target) : [];
    stop();
    if (!texts.length) { return; }
    var mine = run;
    active = button;
    show(button, true);
    for (var i = 0; i < texts.length; i++) {
      var u = new Utterance(texts[i]);
      u.lang = voice.lang || "zh-CN";
      u.voice = voice;
      if (i === texts.length - 1) {
        u.onend = u.onerror = function () {
          if (run === mine) { stop(); }
        };
      }
      synth.speak(u);
    }
  }

  function onClick(event) {
    var button = event.currentTarget;
    if (active === button) { stop(); } else { speak(button); }
  }

  function reveal() {
    voice = chineseVoice();
    if (!voice) { return false; }
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].hasAttribute("data-speak-ready")) { continue; }
      buttons[i].setAttribute("data-speak-ready", "1");
      buttons[i].addEventListener("click", onClick);
      buttons[i].hidden = false;
    }
    return true;
  }

  if (!reveal() && synth.addEventListener) {
    synth.addEventListener("voiceschanged", function once() {
      if (reveal()) { synth.removeEventListener("voiceschanged", once); }
    });
  }
  // Leaving the page (or going back to it from the cache) never leaves a voice talking.
  window.addEventListener("pagehide", function () { if (active) { stop(); } });
}());
