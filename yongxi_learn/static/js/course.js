/* A course's audio or video part: start where the learner stopped, remember where
   they are (every 15 s of playing, on pause and when the page goes away), and mark the
   part done when the media ends. Without this script the media still plays and the
   我已学完 button marks the part. ES5, no library. */
(function () {
  "use strict";
  var box = document.getElementById("course-player");
  if (!box) return;
  var player = box.querySelector("video, audio");
  var token = box.querySelector("input[name=csrf_token]").value;
  var state = document.getElementById("player-state");
  var start = parseFloat(box.getAttribute("data-position")) || 0;
  var lastSent = -1;
  var SAVE_EVERY = 15000;
  var timer = null;

  function post(url, body, keepalive) {
    var data = JSON.stringify(body);
    if (window.fetch) {
      return window.fetch(url, {
        method: "POST", credentials: "same-origin", keepalive: !!keepalive,
        headers: { "Content-Type": "application/json", "X-CSRFToken": token }, body: data
      }).then(function (r) { return r.ok; }, function () { return false; });
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.send(data);
    return null;
  }

  function save(keepalive) {
    var at = Math.floor(player.currentTime || 0);
    if (at === lastSent) return;
    lastSent = at;
    post(box.getAttribute("data-position-url"), { position: at }, keepalive);
  }

  function resume() {
    if (start > 0 && player.duration && start < player.duration - 1) {
      try { player.currentTime = start; } catch (e) { /* not seekable yet */ }
    }
    start = 0;
  }

  if (player.readyState >= 1) resume();
  else player.addEventListener("loadedmetadata", resume);

  player.addEventListener("play", function () {
    if (timer === null) timer = window.setInterval(function () { save(false); }, SAVE_EVERY);
  });
  player.addEventListener("pause", function () {
    if (timer !== null) { window.clearInterval(timer); timer = null; }
    save(false);
  });
  player.addEventListener("seeked", function () { if (player.paused) save(false); });
  window.addEventListener("pagehide", function () { save(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save(true);
  });
  player.addEventListener("ended", function () {
    if (box.getAttribute("data-done") === "1") return;
    var sent = post(box.getAttribute("data-done-url"), {}, false);
    if (sent && sent.then) {
      sent.then(function (ok) {
        if (!ok) { state.textContent = "未能记录学完，请点“我已学完”"; return; }
        box.setAttribute("data-done", "1");
        state.textContent = "已学完";
        var form = document.getElementById("done-form");
        if (form) form.outerHTML = '<p class="alert alert-success" id="part-done">此部分已学完。</p>';
      });
    }
  });
}());
