// Reading pages: a font-size switch, and on a reading assignment the visible-time
// heartbeat. The server sums the time (each beat is credited at most the real time
// since the previous one, capped); this file only says when the page is visible and
// whether the end of the text was reached. Plain ES5 for WeChat's Android browser.
(function () {
  "use strict";
  var FONT_KEY = "yongxi-reading-font";
  var SIZES = [1, 1.125, 1.25, 1.375, 1.5];
  var text = document.getElementById("reading-text");
  if (!text) { return; }

  // ---------------------------------------------------------------- font size

  function readFont() {
    try { return parseInt(window.localStorage.getItem(FONT_KEY), 10); } catch (e) { return NaN; }
  }
  function applyFont(index) {
    index = Math.max(0, Math.min(SIZES.length - 1, index));
    text.style.fontSize = SIZES[index] + "rem";
    try { window.localStorage.setItem(FONT_KEY, String(index)); } catch (e) { /* ignore */ }
    return index;
  }
  var font = applyFont(isNaN(readFont()) ? 1 : readFont());
  var switches = text.querySelectorAll("[data-font]");
  for (var i = 0; i < switches.length; i++) {
    switches[i].addEventListener("click", function (event) {
      font = applyFont(font + parseInt(event.currentTarget.getAttribute("data-font"), 10));
    });
  }

  // ---------------------------------------------------------------- an item opened

  // A study item's page says it was opened to read (the page itself writes nothing);
  // the count shown follows the server's.
  var openedUrl = text.getAttribute("data-opened-url");
  var csrf = document.querySelector("input[name=csrf_token]");
  if (openedUrl && csrf) {
    var note = new XMLHttpRequest();
    note.open("POST", openedUrl, true);
    note.setRequestHeader("Accept", "application/json");
    note.setRequestHeader("X-CSRFToken", csrf.value);
    note.onload = function () {
      var count = document.getElementById("reading-count");
      var reply;
      try { reply = JSON.parse(note.responseText); } catch (e) { return; }
      if (count && note.status === 200 && reply.ok) { count.textContent = reply.readings; }
    };
    note.send();
  }

  // ---------------------------------------------------------------- heartbeat

  var url = text.getAttribute("data-beat-url");
  if (!url || text.getAttribute("data-confirmed") === "1") { return; }
  var form = document.getElementById("confirm-form");
  var button = document.getElementById("confirm-button");
  var hint = document.getElementById("confirm-hint");
  var shown = document.getElementById("reading-seconds");
  var token = form.querySelector("input[name=csrf_token]").value;
  var end = document.getElementById("reading-end");
  var interval = (parseInt(text.getAttribute("data-beat-seconds"), 10) || 15) * 1000;
  var atEnd = false;
  var timer = null;

  button.disabled = true;

  function endVisible() {
    var box = end.getBoundingClientRect();
    return box.top < (window.innerHeight || document.documentElement.clientHeight);
  }
  function checkEnd() {
    if (!atEnd && endVisible()) { atEnd = true; }
  }

  function send(state) {
    checkEnd();
    var body = JSON.stringify({ state: state, at_end: atEnd });
    if (state === "hidden" && navigator.sendBeacon) {
      // A page being hidden may be frozen before fetch completes; a beacon is not.
      // Beacons cannot carry headers, so the token travels in a form body instead.
      var data = new FormData();
      data.append("csrf_token", token);
      data.append("state", state);
      data.append("at_end", atEnd ? "1" : "");
      navigator.sendBeacon(url, data);
      return;
    }
    var request = new XMLHttpRequest();
    request.open("POST", url, true);
    request.setRequestHeader("Content-Type", "application/json");
    request.setRequestHeader("X-CSRFToken", token);
    request.onload = function () {
      if (request.status !== 200) { return; }
      var reply;
      try { reply = JSON.parse(request.responseText); } catch (e) { return; }
      show(reply);
    };
    request.send(body);
  }

  function show(reply) {
    shown.textContent = reply.seconds;
    hint.textContent = reply.problem || "已满足要求，可以点击“我已学习”。";
    button.disabled = !reply.can_confirm;
  }

  function start() {
    if (timer) { return; }
    send("start");
    timer = window.setInterval(function () { send("visible"); }, interval);
  }
  function stop() {
    if (!timer) { return; }
    window.clearInterval(timer);
    timer = null;
    send("hidden");
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { start(); } else { stop(); }
  });
  window.addEventListener("pagehide", stop);
  window.addEventListener("scroll", checkEnd, { passive: true });
  if (document.visibilityState !== "hidden") { start(); }
}());
