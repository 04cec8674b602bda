// The exam page: save each answer as it is given, survive a dropped network, count down
// to the SERVER's deadline. Plain ES5 for WeChat's Android browser; the page works as
// one ordinary form without this file (DESIGN §5).
(function () {
  "use strict";
  var form = document.getElementById("exam-form");
  if (!form) { return; }

  var attemptId = form.getAttribute("data-attempt");
  var answerUrl = form.getAttribute("data-answer-url");
  var token = form.querySelector("input[name=csrf_token]").value;
  var total = parseInt(form.getAttribute("data-total"), 10) || 0;
  var SEQ_KEY = "yongxi-exam-seq-" + attemptId;
  var QUEUE_KEY = "yongxi-exam-queue-" + attemptId;
  var MAX_DELAY_MS = 30000;
  var LABELS = {
    saving: "保存中…",
    saved: "已保存",
    offline: "未保存（网络断开）",
    closed: "考试已结束，答案未保存"
  };

  // position -> {answer: "AC", seq: 12}: answers given but not yet confirmed by the server.
  var queue = readJson(QUEUE_KEY) || {};
  // The sequence number only grows: continue from this browser's and the server's highest.
  var seq = Math.max(parseInt(read(SEQ_KEY), 10) || 0,
                     parseInt(form.getAttribute("data-seq"), 10) || 0);
  var inFlight = {};
  var failed = {};
  var retryDelay = 1000;
  var retryTimer = null;
  var closed = false;

  // ---------------------------------------------------------------- storage

  function read(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function write(key, value) {
    // Private mode or a full quota: saving still works while the page stays open.
    try { window.localStorage.setItem(key, value); } catch (e) { /* ignore */ }
  }
  function readJson(key) {
    try { return JSON.parse(read(key) || "null"); } catch (e) { return null; }
  }
  function persistQueue() { write(QUEUE_KEY, JSON.stringify(queue)); }

  // ---------------------------------------------------------------- the inputs

  function inputsOf(position) {
    return form.querySelectorAll("input[name='q" + position + "']");
  }
  function answerOf(position) {
    var letters = "";
    var inputs = inputsOf(position);
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].checked) { letters += inputs[i].value; }
    }
    return letters;
  }
  function applyAnswer(position, letters) {
    var inputs = inputsOf(position);
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].checked = letters.indexOf(inputs[i].value) !== -1;
    }
  }
  function positionOf(input) {
    var match = /^q(\d+)$/.exec(input.name || "");
    return match ? match[1] : null;
  }

  // ---------------------------------------------------------------- state shown

  function setQuestionState(position, state) {
    var el = form.querySelector("[data-state-for='" + position + "']");
    if (el) {
      el.setAttribute("data-state", state);
      el.textContent = LABELS[state] || "";
    }
  }
  function updateSummary() {
    var answered = 0;
    for (var p = 1; p <= total; p++) {
      var done = answerOf(p) !== "";
      if (done) { answered++; }
      var nav = form.querySelector("[data-nav='" + p + "']");
      if (nav) { nav.className = done ? "answered" : ""; }
    }
    var count = document.getElementById("exam-answered");
    if (count) { count.textContent = answered; }
    var state = "saved";
    if (closed) { state = "closed"; }
    else if (hasKeys(failed)) { state = "offline"; }
    else if (hasKeys(queue)) { state = "saving"; }
    var el = document.getElementById("exam-save-state");
    if (el) {
      el.setAttribute("data-state", state);
      el.textContent = LABELS[state];
    }
    return answered;
  }
  function hasKeys(object) {
    for (var key in object) {
      if (Object.prototype.hasOwnProperty.call(object, key)) { return true; }
    }
    return false;
  }

  // ---------------------------------------------------------------- saving

  function record(position) {
    seq += 1;
    write(SEQ_KEY, String(seq));
    queue[position] = { answer: answerOf(position), seq: seq };
    persistQueue();
    send(position);
  }

  function send(position) {
    var item = queue[position];
    if (!item || closed || inFlight[position] === item.seq) { return; }
    inFlight[position] = item.seq;
    setQuestionState(position, "saving");
    updateSummary();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", answerUrl, true);
    xhr.timeout = 15000;
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.onload = function () { settle(position, item, xhr.status, parse(xhr)); };
    xhr.onerror = xhr.ontimeout = function () { settle(position, item, 0, null); };
    xhr.send(JSON.stringify({ position: parseInt(position, 10), answer: item.answer, seq: item.seq }));
  }

  function parse(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("application/json") === -1) { return null; }
    try { return JSON.parse(xhr.responseText); } catch (e) { return null; }
  }

  function settle(position, item, status, data) {
    delete inFlight[position];
    if (status === 200 && data && data.ok) {
      saved(position, item, data);
    } else if (status === 409) {
      finished();
    } else if (status === 400 && data && data.ok === false) {
      // The server refused this answer as invalid: retrying would not help.
      saved(position, item, data);
    } else {
      // Offline, a timeout, a login page or a server error: keep it and retry.
      failed[position] = true;
      setQuestionState(position, "offline");
      updateSummary();
      scheduleRetry();
    }
  }

  function saved(position, item, data) {
    delete failed[position];
    if (queue[position] && queue[position].seq === item.seq) {
      delete queue[position];
      persistQueue();
      setQuestionState(position, "saved");
    } else {
      send(position);  // a newer answer was given meanwhile
    }
    if (typeof data.remaining_seconds === "number") { syncTimer(data.remaining_seconds); }
    retryDelay = 1000;
    updateSummary();
    if (hasKeys(failed)) { flush(); }
  }

  function scheduleRetry() {
    if (retryTimer || closed) { return; }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, MAX_DELAY_MS);
  }

  function flush() {
    for (var position in queue) {
      if (Object.prototype.hasOwnProperty.call(queue, position)) { send(position); }
    }
  }

  function finished() {
    closed = true;
    updateSummary();
    // The server has closed the attempt: its page now leads to the result.
    window.setTimeout(function () { window.location.reload(); }, 1500);
  }

  // ---------------------------------------------------------------- the countdown

  var timerEl = document.getElementById("exam-remaining");
  var remainingAttr = form.getAttribute("data-remaining");
  var endsAt = null;
  var autoSubmitted = false;

  function syncTimer(seconds) {
    endsAt = Date.now() + seconds * 1000;
  }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    if (endsAt === null || !timerEl) { return; }
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    timerEl.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
    timerEl.parentNode.className = left <= 300 ? "exam-timer is-low" : "exam-timer";
    if (left === 0 && !autoSubmitted && navigator.onLine !== false) {
      // Time is up: hand in what is on the page (the server allows a short grace).
      autoSubmitted = true;
      form.submit();
    }
  }

  // ---------------------------------------------------------------- wiring

  form.addEventListener("change", function (event) {
    var position = positionOf(event.target);
    if (position && !closed) { record(position); }
    updateSummary();
  });

  form.addEventListener("submit", function (event) {
    var unanswered = total - updateSummary();
    var message = unanswered > 0
      ? "还有 " + unanswered + " 题未作答，确定交卷吗？交卷后不能再修改。"
      : "确定交卷吗？交卷后不能再修改。";
    if (!window.confirm(message)) { event.preventDefault(); }
  });

  window.addEventListener("online", function () {
    retryDelay = 1000;
    flush();
  });

  // Answers given while offline before a reload: show them again and send them.
  for (var position in queue) {
    if (Object.prototype.hasOwnProperty.call(queue, position)) {
      applyAnswer(position, queue[position].answer);
      setQuestionState(position, "saving");
    }
  }
  if (remainingAttr !== null) {
    syncTimer(parseInt(remainingAttr, 10) || 0);
    tick();
    window.setInterval(tick, 1000);
  }
  updateSummary();
  flush();
})();
